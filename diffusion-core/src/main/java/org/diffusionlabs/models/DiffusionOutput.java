package org.diffusionlabs.models;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a denoising model (or an adapter around one) returns: the prediction, optionally the learned variance
 * value v, and, filled in by the DDPM training forward, the predicted posterior mean and log variance.
 * Port of {@code diffusion_labs/utils/common.py} {@code DiffusionOutput}.
 *
 * @param prediction    the model's output (noise, x0 or v, depending on the predictor); never null
 * @param varianceValue interpolation weight v of the learned variance, or null
 * @param mean          predicted posterior mean, or null
 * @param logVariance   predicted posterior log variance, or null
 */
public record DiffusionOutput(INDArray prediction, INDArray varianceValue, INDArray mean, INDArray logVariance) {
    public DiffusionOutput {
        if (prediction == null) {
            throw new IllegalArgumentException("DiffusionOutput parameter prediction must not be null");
        }
    }

    public static DiffusionOutput of(INDArray prediction) {
        return new DiffusionOutput(prediction, null, null, null);
    }

    public static DiffusionOutput of(INDArray prediction, INDArray varianceValue) {
        return new DiffusionOutput(prediction, varianceValue, null, null);
    }

    /** This output with the posterior mean and log variance set. */
    public DiffusionOutput withPosterior(INDArray newMean, INDArray newLogVariance) {
        return new DiffusionOutput(prediction, varianceValue, newMean, newLogVariance);
    }
}
