package org.diffusionlabs.nd;

/**
 * {@code torch.linspace} in float64 and its integer form: the first half of the points is computed forward
 * from {@code start}, the second half backward from {@code end}, exactly as PyTorch does, so schedules built
 * from it match the reference to the last bit.
 */
public final class Linspace {
    private Linspace() {}

    /** {@code n} evenly spaced float64 values from start to end inclusive. */
    public static double[] of(double start, double end, int n) {
        Checks.require(n >= 0, "Linspace", "n", n, "must be >= 0");
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
        }
        if (n <= 1) {
            return out;
        }
        double step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < half ? start + step * i : end - step * (n - i - 1);
        }
        return out;
    }

    /** {@code torch.linspace(start, end, n, dtype=int)}: the float64 points truncated toward zero. */
    public static long[] ofLongs(double start, double end, int n) {
        double[] d = of(start, end, n);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }
}
