package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a training pass gets its dropout masks: asked once per dropout site, in forward order, for a mask of the
 * site's activation shape holding 0 or 1/(1 − p) (inverted dropout), or null for no dropout. Randomness is an
 * argument (an explicit {@link Rng}), never global.
 */
@FunctionalInterface
public interface DropoutNoise {
    /** No dropout (evaluation, or p = 0). */
    DropoutNoise NONE = (arena, p, shape) -> null;

    /** A mask for drop probability {@code p} and activation {@code shape}, from {@code arena}; null for none. */
    INDArray mask(Arena arena, double p, long[] shape);

    /**
     * Masks as PyTorch's current CPU dropout draws them from its generator: per element (row-major) a float64 uniform
     * (two 32-bit draws), kept iff below 1 − p, kept values 1/(1 − p) in float32 (checked against torch 1.13 CPU:
     * a res block's output and the golden VAE's dropout gradients).
     */
    static DropoutNoise torch(Rng rng) {
        return new TorchDropout(Checks.notNull(rng, "DropoutNoise", "rng"));
    }
}
