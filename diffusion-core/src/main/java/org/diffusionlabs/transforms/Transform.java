package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Rng;

/**
 * A data transform: batch in, batch out (the reference's dict transforms, stacked with {@code nn.Sequential}).
 * Stochastic transforms draw from the {@link Rng} passed in; deterministic ones ignore it. Implementations are
 * stateless, so one instance can serve many threads.
 */
@FunctionalInterface
public interface Transform {
    Batch apply(Batch batch, Rng rng);

    /** This transform followed by {@code next}. */
    default Transform then(Transform next) {
        return (b, rng) -> next.apply(apply(b, rng), rng);
    }

    /** The transforms applied left to right. */
    static Transform compose(Transform... transforms) {
        Transform all = (b, rng) -> b;
        for (Transform t : transforms) {
            all = all.then(t);
        }
        return all;
    }
}
