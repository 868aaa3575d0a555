package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Clipping by global norm (as {@code torch.nn.utils.clip_grad_norm_}): when the L2 norm over all gradients exceeds
 * {@code maxNorm}, every gradient is scaled by maxNorm/(norm + 1e-6).
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of the gradients (float64 accumulation). */
    public static double globalNorm(Map<String, INDArray> grads) {
        double sum = 0;
        for (INDArray g : grads.values()) {
            double n = g.norm2Number().doubleValue();
            sum += n * n;
        }
        return Math.sqrt(sum);
    }

    /** Scales the gradients in place when their global norm exceeds {@code maxNorm}; returns the norm before. */
    public static double clip(Map<String, INDArray> grads, double maxNorm) {
        Checks.require(maxNorm > 0, "GradientClipping", "maxNorm", maxNorm, "must be > 0");
        double norm = globalNorm(grads);
        if (norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            grads.values().forEach(g -> g.muli(scale));
        }
        return norm;
    }
}
