package org.diffusionlabs.models;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one signature shared by models, adapters and samplers' inner networks: given the noisy batch x_t, its
 * timesteps t and the conditional inputs, return a {@link DiffusionOutput}. Adapters implement it by wrapping
 * another {@code DenoisingModel}, which is what makes them stackable. This call is the evaluation (inference)
 * path: it is deterministic and draws no random numbers.
 */
@FunctionalInterface
public interface DenoisingModel {
    /**
     * @param xt noisy data {@code [b, c, h, w]} (float32)
     * @param t  timesteps {@code [b]} (integer-valued; the model sees the original training-schedule step)
     * @param c  conditional inputs, never null (use {@link Conditioning#none()})
     */
    DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c);

    /**
     * Frees memory the model keeps between calls (an engine's intermediates) now, rather than holding it while other
     * work runs; the next call allocates it again. Adapters pass it on to the model they wrap.
     */
    default void releaseMemory() {}
}
