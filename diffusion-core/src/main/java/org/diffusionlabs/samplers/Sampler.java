package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Iterator;

/**
 * Runs the reverse diffusion chain from pure noise x_T to data (the reference's {@code Sampler} in eval mode).
 * Samplers are stateless and thread-safe: per-run state lives in the iterator {@link #denoise} returns, and
 * randomness comes from the caller.
 */
public interface Sampler {
    /** Number of reverse steps a full loop makes. */
    int numSteps();

    /** A step iterator: each {@code next()} makes one reverse step and returns the new x. */
    Iterator<INDArray> denoise(INDArray xT, Conditioning c, StepNoise noise);

    default Iterator<INDArray> denoise(INDArray xT, Conditioning c, Rng rng) {
        return denoise(xT, c, StepNoise.from(rng));
    }

    /** The whole loop; returns the last x (x_T itself when there are no steps). */
    default INDArray sample(INDArray xT, Conditioning c, StepNoise noise, StepListener listener) {
        Iterator<INDArray> it = denoise(xT, c, noise);
        INDArray x = xT;
        int done = 0;
        int total = numSteps();
        while (it.hasNext()) {
            x = it.next();
            listener.onStep(++done, total);
        }
        return x;
    }

    default INDArray sample(INDArray xT, Conditioning c, Rng rng) {
        return sample(xT, c, StepNoise.from(rng), StepListener.NONE);
    }

    /** {@link org.diffusionlabs.models.DenoisingModel#releaseMemory} of the model it samples (between runs). */
    default void releaseMemory() {}
}
