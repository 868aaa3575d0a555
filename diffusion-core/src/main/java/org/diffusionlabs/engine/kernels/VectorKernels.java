package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The CPU kernels: fused Java Vector API loops straight over ND4J's native buffers ({@link HostFloats}), with
 * {@link VectorMath}'s own exp, fixed-order float64-combined reductions and a fixed two-way thread split
 * ({@link KernelThreads}). This class and the {@code Vector*} helpers are the only ones that touch
 * {@code jdk.incubator.vector}; {@link KernelChoice} creates it only when that module is in the boot layer.
 */
final class VectorKernels implements Kernels {
    private static final String OWNER = "Kernels";

    /** Lanes of the preferred float species (16 with AVX-512, 8 with AVX2). */
    static int lanes() {
        return VectorMath.SPECIES.length();
    }

    @Override
    public void groupNormForward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                 double eps, boolean silu, INDArray y, INDArray stats) {
        GroupNormShape s = GroupNormShape.of(x, gamma, beta, scale, shift, groups, stats);
        KernelArgs.shaped(y, OWNER, "y", x.shape());
        VectorGroupNormForward.run(s, host(x, "x"), host(gamma, "gamma"), host(beta, "beta"), host(scale, "scale"),
                host(shift, "shift"), eps, silu, host(y, "y"), host(stats, "stats"));
    }

    @Override
    public void groupNormForwardNhwc(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift,
                                     int groups, double eps, boolean silu, INDArray y, INDArray stats) {
        GroupNormShape s = GroupNormShape.of(x, gamma, beta, scale, shift, groups, stats, true);
        if (s.channels() % lanes() != 0) {
            Kernels.super.groupNormForwardNhwc(x, gamma, beta, scale, shift, groups, eps, silu, y, stats);
            return;
        }
        KernelArgs.shaped(y, OWNER, "y", x.shape());
        VectorGroupNormNhwc.run(s, host(x, "x"), host(gamma, "gamma"), host(beta, "beta"), host(scale, "scale"),
                host(shift, "shift"), eps, silu, host(y, "y"), host(stats, "stats"));
    }

    @Override
    public void groupNormBackward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                  boolean silu, INDArray stats, INDArray dy, INDArray dx, INDArray dGamma,
                                  INDArray dBeta, INDArray dScale, INDArray dShift) {
        GroupNormShape s = GroupNormShape.of(x, gamma, beta, scale, shift, groups, stats);
        KernelArgs.groupNormGradients(s, x, scale, shift, dy, dx, dGamma, dBeta, dScale, dShift);
        VectorGroupNormBackward.run(s, host(x, "x"), host(gamma, "gamma"), host(beta, "beta"), host(scale, "scale"),
                host(shift, "shift"), silu, host(stats, "stats"), host(dy, "dy"), host(dx, "dx"),
                host(dGamma, "dGamma"), host(dBeta, "dBeta"), host(dScale, "dScale"), host(dShift, "dShift"));
    }

    @Override
    public void siluForward(INDArray x, INDArray y) {
        KernelArgs.contiguous(x, OWNER, "x");
        KernelArgs.shaped(y, OWNER, "y", x.shape());
        VectorElementwise.silu(host(x, "x"), host(y, "y"));
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        KernelArgs.contiguous(x, OWNER, "x");
        KernelArgs.shaped(dy, OWNER, "dy", x.shape());
        KernelArgs.shaped(dx, OWNER, "dx", x.shape());
        VectorElementwise.siluBackward(host(x, "x"), host(dy, "dy"), host(dx, "dx"));
    }

    @Override
    public void adamWEma(INDArray p, INDArray g, INDArray m, INDArray v, INDArray ema, double lr, double beta1,
                         double beta2, double eps, double weightDecay, double bc1, double bc2Sqrt, double emaDecay) {
        KernelArgs.adamW(p, g, m, v, ema);
        VectorAdamW.step(host(p, "p"), host(g, "g"), host(m, "m"), host(v, "v"), host(ema, "ema"), lr, beta1, beta2,
                eps, weightDecay, bc1, bc2Sqrt, emaDecay);
    }

    @Override
    public double sumOfSquares(INDArray x) {
        KernelArgs.contiguous(x, OWNER, "x");
        return VectorElementwise.sumOfSquares(host(x, "x"));
    }

    @Override
    public void dropout(INDArray x, INDArray mask, double p, INDArray y) {
        KernelArgs.dropout(x, mask, p, y);
        VectorElementwise.dropout(host(x, "x"), host(mask, "mask"), (float) (1 / (1 - p)), host(y, "y"));
    }

    private static HostFloats host(INDArray a, String name) {
        return a == null ? null : HostFloats.of(a, OWNER, name);
    }
}
