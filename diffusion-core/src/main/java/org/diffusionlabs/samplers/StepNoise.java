package org.diffusionlabs.samplers;

import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a sampler step gets its Gaussian noise. Usually drawn from an explicit {@link Rng}; tests and users who
 * need reproducible per-row noise (e.g. on Spark) can supply their own.
 */
@FunctionalInterface
public interface StepNoise {
    /** Standard normal noise shaped and typed like {@code like}. */
    INDArray draw(INDArray like);

    /** Noise from {@code rng}, drawn like {@code torch.randn_like}. */
    static StepNoise from(Rng rng) {
        return like -> rng.randn(like.shape()).castTo(like.dataType());
    }
}
