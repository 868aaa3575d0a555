package org.diffusionlabs.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gathers per-sample values of a float64 coefficient table at timesteps {@code t} and shapes them
 * {@code [b, 1, ..., 1]} so they broadcast against a batch of rank {@code rank} (the reference's
 * {@code schedule(name, t, shape)}). Non-integral timesteps interpolate linearly between floor and ceil.
 */
public final class Broadcast {
    private Broadcast() {}

    /**
     * @param table float64 values indexed by step
     * @param t     timesteps: a vector {@code [b]} or a scalar (any numeric type)
     * @param rank  rank of the data the result multiplies (at least 1)
     * @return float64 {@code [b, 1, ..., 1]} (a scalar t gives b = 1)
     */
    public static INDArray atSteps(double[] table, INDArray t, int rank) {
        Checks.require(rank >= 1, "Broadcast", "rank", rank, "must be >= 1");
        double[] steps = timesteps(t);
        double[] out = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            out[i] = interpolate(table, steps[i]);
        }
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1);
        shape[0] = out.length;
        return Nd4j.create(out, shape, DataType.DOUBLE);
    }

    /** Timesteps as doubles, from a scalar or a vector; rejects higher ranks and non-finite values. */
    public static double[] timesteps(INDArray t) {
        Checks.notNull(t, "Broadcast", "t");
        Checks.require(t.rank() <= 1 || t.length() == t.size(0), "Broadcast", "t", java.util.Arrays.toString(t.shape()),
                "must be a scalar or a vector [b]");
        double[] v = t.length() == 1 ? new double[] {t.getDouble(0)} : t.castTo(DataType.DOUBLE).toDoubleVector();
        for (double x : v) {
            Checks.require(Double.isFinite(x), "Broadcast", "t", x, "timesteps must be finite");
        }
        return v;
    }

    private static double interpolate(double[] table, double t) {
        Checks.require(t >= 0 && t <= table.length - 1, "Broadcast", "t", t,
                "must be in [0, " + (table.length - 1) + "]");
        int lo = (int) Math.floor(t);
        int hi = (int) Math.ceil(t);
        if (lo == hi) {
            return table[lo];
        }
        double w = t - lo;
        return (1 - w) * table[lo] + w * table[hi];
    }
}
