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
     * {@code torch.linspace(start, end, n, dtype=torch.int)} exactly as PyTorch's CPU kernel computes it (the build
     * that produced our golden data). Its vectorised loop takes two 8-lane int32 vectors per iteration while 16
     * points remain; each vector starts at its float64 point truncated to int, and lane j holds
     * (int)(base + j·step); the tail is computed point by point. For the tutorial's linspace(0, 999, 250) this differs
     * from {@link #ofLongs} at 7 of 250 steps (332, not 333); when n is a multiple of 16 the last value can fall
     * short of {@code end}.
     */
    public static long[] ofInts(double start, double end, int n) {
        Checks.require(n >= 0, "Linspace", "n", n, "must be >= 0");
        long[] out = new long[n];
        if (n == 1) {
            out[0] = (long) start;
        }
        if (n <= 1) {
            return out;
        }
        final int lanes = 8;
        double step = (end - start) / (n - 1);
        int half = n / 2;
        int i = 0;
        for (; i <= n - 2 * lanes; i += 2 * lanes) {
            for (int block = i; block < i + 2 * lanes; block += lanes) {
                int base = (int) point(start, end, step, n, half, block);
                for (int j = 0; j < lanes; j++) {
                    out[block + j] = (int) (base + j * step);
                }
            }
        }
        for (; i < n; i++) {
            out[i] = (int) point(start, end, step, n, half, i);
        }
        return out;
    }

    private static double point(double start, double end, double step, int n, int half, int i) {
        return i < half ? start + step * i : end - step * (n - i - 1);
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
