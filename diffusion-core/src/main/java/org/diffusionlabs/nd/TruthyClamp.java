package org.diffusionlabs.nd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The optional [min, max] clamp of the reference's super-resolution adapter and transform, which applies only
 * when Python's {@code min_val or max_val} is truthy: a bound is given and non-zero (so {@code min = 0} alone never
 * clamps). Kept for parity; each given bound is then applied.
 *
 * @param min lower bound or null
 * @param max upper bound or null
 */
public record TruthyClamp(Double min, Double max) {
    public TruthyClamp {
        Checks.require(min == null || !min.isNaN(), "TruthyClamp", "min", min, "must not be NaN");
        Checks.require(max == null || !max.isNaN(), "TruthyClamp", "max", max, "must not be NaN");
    }

    /** Whether this clamp does anything (the reference's {@code min_val or max_val}). */
    public boolean active() {
        return truthy(min) || truthy(max);
    }

    /** x clamped into a new array, or x itself when inactive. */
    public INDArray apply(INDArray x) {
        if (!active()) {
            return x;
        }
        INDArray out = x;
        if (min != null) {
            out = Transforms.max(out, min, true);
        }
        if (max != null) {
            out = Transforms.min(out, max, true);
        }
        return out;
    }

    private static boolean truthy(Double v) {
        return v != null && v != 0.0;
    }
}
