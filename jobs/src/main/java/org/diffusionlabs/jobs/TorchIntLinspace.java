package org.diffusionlabs.jobs;

import org.diffusionlabs.nd.Linspace;

/**
 * {@code torch.linspace(start, end, n, dtype=torch.int)} exactly as PyTorch's CPU kernel computes it, including
 * its vectorized path, which {@link Linspace#ofLongs} (a plain per-element truncation) does not reproduce: the
 * kernel fills blocks of 8 int32 lanes (256-bit vectors) from a truncated block base, {@code (int) (base + j·step)},
 * so e.g. {@code linspace(0, 999, 250)} has 332 where the per-element form gives 333 (7 of the tutorial's 250 eval
 * steps differ). The golden {@code ddpm_strided_eval_tutorial.eval_steps} pins this behaviour. A consequence: when
 * n is a multiple of 16 the last value can fall short of {@code end} (e.g. n = 16 over 0..999 ends at 998).
 *
 * <p>Lives here until {@code diffusion-core}'s {@code Linspace.ofLongs} adopts it (the samplers' strided eval steps
 * need the same values).
 */
public final class TorchIntLinspace {
    /** int32 lanes of PyTorch's {@code Vectorized<int>} on the default and AVX2 CPU builds. */
    static final int LANES = 8;

    private TorchIntLinspace() {}

    /** The {@code n} int32 values of {@code torch.linspace(start, end, n, dtype=torch.int)}, as longs. */
    public static long[] of(int start, int end, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("TorchIntLinspace parameter n given invalid value " + n + ": must be >= 0");
        }
        long[] out = new long[n];
        if (n == 1) {
            out[0] = start;
        }
        if (n <= 1) {
            return out;
        }
        double step = ((double) end - (double) start) / (n - 1);
        int halfway = n / 2;
        int i = 0;
        // vectorized_loop: two vectors per iteration while 2·LANES elements remain
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            for (int block = i; block < i + 2 * LANES; block += LANES) {
                // Vectorized<int>::arange(base, step): the base is truncated to int32 first
                int base = (int) point(start, end, step, n, halfway, block);
                for (int j = 0; j < LANES; j++) {
                    out[block + j] = (int) (base + j * step);
                }
            }
        }
        // basic_loop for the tail: one element at a time
        for (; i < n; i++) {
            out[i] = (int) point(start, end, step, n, halfway, i);
        }
        return out;
    }

    /** The kernel's scalar formula: forward from start in the first half, backward from end in the second. */
    private static double point(int start, int end, double step, int n, int halfway, int idx) {
        return idx < halfway ? start + step * idx : end - step * (n - idx - 1);
    }
}
