package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise and normalisation work of the engine that native ops do not cover well, behind one interface
 * with two implementations: fused Java Vector API loops over ND4J's buffers (CPU) and the same maths composed from
 * ND4J ops (CUDA, and a test switch on CPU: {@value #PROPERTY}{@code =composed}). Both compute in float32 with a
 * fixed reduction order, so a seed gives the same bits on every run of a machine.
 *
 * <p>Every array is a contiguous c-order float32 array (views into the flat parameter/gradient buffers included);
 * outputs are written, never allocated; "accumulate" outputs are added to.
 */
public interface Kernels {
    /** System property choosing the implementation: {@code vector} (CPU default) or {@code composed}. */
    String PROPERTY = "diffusion.kernels";

    /**
     * GroupNorm with affine γ/β, an optional per-sample FiLM and an optional SiLU:
     * {@code z = ((x − μ_g)·rstd_g·γ + β)·(1 + scale) + shift}, {@code y = silu ? z·σ(z) : z}, with μ_g and the
     * biased variance over each group's (C/G)·H·W values and {@code rstd = 1/√(var + eps)}.
     *
     * @param x     [b, C, H, W]
     * @param gamma [C]
     * @param beta  [C]
     * @param scale [b, C] or null (no FiLM)
     * @param shift [b, C] or null (only with scale)
     * @param y     [b, C, H, W] output (may not alias x)
     * @param stats [b, G, 2] output: μ and rstd per sample and group, for {@link #groupNormBackward}
     */
    void groupNormForward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                          double eps, boolean silu, INDArray y, INDArray stats);

    /**
     * {@link #groupNormForward} over channels-last arrays (inference): x and y [b, H, W, C], the same γ, β, scale,
     * shift and stats. This default permutes to [b, C, H, W] and back; CPU kernels work in place.
     */
    default void groupNormForwardNhwc(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift,
                                      int groups, double eps, boolean silu, INDArray y, INDArray stats) {
        KernelArgs.require(x.rank() == 4, "Kernels.groupNorm", "x", java.util.Arrays.toString(x.shape()),
                "must be [b, H, W, C]");
        INDArray xc = x.permute(0, 3, 1, 2).dup('c');
        INDArray yc = xc.ulike();
        groupNormForward(xc, gamma, beta, scale, shift, groups, eps, silu, yc, stats);
        y.assign(yc.permute(0, 2, 3, 1));
        xc.close();
        yc.close();
    }

    /**
     * The gradients of {@link #groupNormForward} given dy (recomputing z from x and the saved stats).
     *
     * @param dx     [b, C, H, W] output (written; may alias dy)
     * @param dGamma [C] accumulated
     * @param dBeta  [C] accumulated
     * @param dScale [b, C] written, or null when scale is null
     * @param dShift [b, C] written, or null when shift is null
     */
    void groupNormBackward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                           boolean silu, INDArray stats, INDArray dy, INDArray dx, INDArray dGamma, INDArray dBeta,
                           INDArray dScale, INDArray dShift);

    /** y = x·σ(x) over whole arrays (y may alias x). */
    void siluForward(INDArray x, INDArray y);

    /** dx = dy·σ(x)·(1 + x·(1 − σ(x))) (dx may alias dy). */
    void siluBackward(INDArray x, INDArray dy, INDArray dx);

    /**
     * One AdamW step (PyTorch order, see {@code training.AdamW}) over flat buffers, then the EMA update of the new
     * weights: {@code p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
     * p ← p − (lr/bc1)·m/(√v/bc2Sqrt + eps); ema ← emaDecay·ema + (1 − emaDecay)·p}, in one pass.
     *
     * @param ema the EMA weights, or null for none
     */
    void adamWEma(INDArray p, INDArray g, INDArray m, INDArray v, INDArray ema, double lr, double beta1, double beta2,
                  double eps, double weightDecay, double bc1, double bc2Sqrt, double emaDecay);

    /** Σx² over a whole array, accumulated in float64 in a fixed order (gradient-norm clipping). */
    double sumOfSquares(INDArray x);

    /** y = x·mask·(1/(1 − p)) (inverted dropout with a given 0/1 mask of x's shape; y may alias x). */
    void dropout(INDArray x, INDArray mask, double p, INDArray y);

    /**
     * The implementation {@code name} ({@code vector} or {@code composed}) whatever the property says, for tests that
     * run both.
     */
    static Kernels named(String name) {
        return KernelChoice.create(KernelChoice.choose(name, org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU(),
                KernelChoice.vectorModulePresent(), KernelChoice.hardwareFma()));
    }

    /** The implementation chosen by {@value #PROPERTY} (vector on CPU when the Vector API is present). */
    static Kernels get() {
        return KernelChoice.instance();
    }
}
