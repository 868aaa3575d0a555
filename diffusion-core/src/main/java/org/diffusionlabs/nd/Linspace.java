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

    /**
     * {@code torch.linspace(start, end, n, dtype=torch.int)} as the reference's PyTorch 1.13 CPU kernel computes it
     * (the build that produced our golden data): blocks of 8 int32 lanes, each block starting at its float64 point
     * truncated and stepping by the step truncated to an integer, then single points for the tail. For the
     * tutorial's linspace(0, 999, 250) this differs from exact truncation at 7 of 250 steps (e.g. 332, not 333);
     * PyTorch 2.x gives the exact values of {@link #ofLongs}.
     */
    public static long[] ofInts(double start, double end, int n) {
        Checks.require(n >= 0, "Linspace", "n", n, "must be >= 0");
        long[] exact = ofLongs(start, end, n);
        if (n <= 1) {
            return exact;
        }
        final int lanes = 8;
        double step = (end - start) / (n - 1);
        int half = n / 2;
        long[] out = exact.clone();
        for (int i = 0; i + lanes <= n; i += lanes) {
            long base = (long) (i < half ? start + step * i : end - step * (n - i - 1));
            for (int j = 0; j < lanes; j++) {
                out[i + j] = base + (long) step * j;
            }
        }
        return out;
    }

    /** {@code torch.linspace(start, end, n)} truncated to integers point by point (PyTorch 2.x integer linspace). */
    public static long[] ofLongs(double start, double end, int n) {
        double[] d = of(start, end, n);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }
}
