package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The normalize step of the training pipeline: pixels in [0, 1] map to the model's range [−1, 1] by
 * {@code x ↦ 2x − 1} (the tutorial's {@code Lambda(lambda t: t * 2 - 1)}), and back for saving samples.
 */
public final class Normalize {
    private static final String OWNER = "Normalize";

    private Normalize() {}

    /** A new array {@code 2x − 1}; the input is unchanged. */
    public static INDArray toSigned(INDArray x) {
        Checks.notNull(x, OWNER, "x");
        return x.mul(2.0).subi(1.0);
    }

    /** A new array {@code (x + 1) / 2}, the inverse of {@link #toSigned}; the input is unchanged. */
    public static INDArray toUnit(INDArray x) {
        Checks.notNull(x, OWNER, "x");
        return x.add(1.0).divi(2.0);
    }
}
