package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sizes of one GroupNorm call, checked once for both implementations: x is [b, C, H, W] with C divisible by
 * the group count G, so group (n, g) is the contiguous run of {@link #groupSize()} = (C/G)·H·W elements starting
 * at element (n·G + g)·groupSize, and channel c of sample n the run of H·W elements at (n·C + c)·H·W.
 */
record GroupNormShape(int batch, int channels, int groups, int hw) {
    private static final String OWNER = "Kernels.groupNorm";

    /** Checks every array of a forward or backward call (the gradient arrays are checked by the caller). */
    static GroupNormShape of(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                             INDArray stats) {
        return of(x, gamma, beta, scale, shift, groups, stats, false);
    }

    /** As {@link #of} for x [b, H, W, C] when {@code channelsLast} (then H·W counts positions, C is the last axis). */
    static GroupNormShape of(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                             INDArray stats, boolean channelsLast) {
        KernelArgs.contiguous(x, OWNER, "x");
        KernelArgs.require(x.rank() == 4, OWNER, "x", java.util.Arrays.toString(x.shape()),
                channelsLast ? "must be [b, H, W, C]" : "must be [b, C, H, W]");
        long b = x.size(0);
        long c = channelsLast ? x.size(3) : x.size(1);
        long hw = channelsLast ? x.size(1) * x.size(2) : x.size(2) * x.size(3);
        KernelArgs.require(groups > 0 && c % groups == 0, OWNER, "groups", groups, "must divide C = " + c);
        KernelArgs.require(x.length() < Integer.MAX_VALUE / 4, OWNER, "x", x.length(), "must have < 2^29 elements");
        KernelArgs.sized(gamma, OWNER, "gamma", c);
        KernelArgs.sized(beta, OWNER, "beta", c);
        KernelArgs.require(shift == null || scale != null, OWNER, "shift", "non-null", "needs a scale as well");
        if (scale != null) {
            KernelArgs.shaped(scale, OWNER, "scale", b, c);
        }
        if (shift != null) {
            KernelArgs.shaped(shift, OWNER, "shift", b, c);
        }
        KernelArgs.shaped(stats, OWNER, "stats", b, groups, 2);
        return new GroupNormShape((int) b, (int) c, groups, (int) hw);
    }

    int channelsPerGroup() {
        return channels / groups;
    }

    int groupSize() {
        return channelsPerGroup() * hw;
    }

    long length() {
        return (long) batch * channels * hw;
    }
}
