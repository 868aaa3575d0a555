package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.models.Parameters.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff building blocks of the ADM U-Net with PyTorch semantics and parameter layouts: linear, conv,
 * GroupNorm (composed: SameDiff has none, and its biased-variance gradient is wrong), SiLU. Linear layers are
 * {@code mmul} + {@code add}, never {@code sd.nn().linear} ({@code xw_plus_b}), whose 'f'-order output is written
 * transposed by the oneDNN helper after SameDiff's array cache reuses an array. Conv weights stay [out, in, kh, kw]
 * and are permuted to YXIO in the graph ({@code conv2d_bp} ignores the OIYX format).
 */
final class AdmLayers {
    private AdmLayers() {}

    /** y = x·Wᵀ + b for x [n, in], W [out, in] (reference names {@code prefix.weight}, {@code prefix.bias}). */
    static SDVariable linear(SameDiff sd, Parameters p, String prefix, SDVariable x, long in, long out) {
        SDVariable w = var(sd, p, prefix + ".weight", new long[] {out, in}, Init.WEIGHT, in);
        SDVariable b = var(sd, p, prefix + ".bias", new long[] {out}, Init.BIAS, in);
        return sd.mmul(x, w, false, true, false).add(b);
    }

    /** Declares a linear layer's parameters now (for construction-order parity) and returns a function using them. */
    static Linear declareLinear(SameDiff sd, Parameters p, String prefix, long in, long out) {
        SDVariable w = var(sd, p, prefix + ".weight", new long[] {out, in}, Init.WEIGHT, in);
        SDVariable b = var(sd, p, prefix + ".bias", new long[] {out}, Init.BIAS, in);
        return x -> sd.mmul(x, w, false, true, false).add(b);
    }

    /** A declared linear layer. */
    interface Linear {
        SDVariable apply(SDVariable x);
    }

    /** A declared conv layer. */
    interface Conv {
        SDVariable apply(SDVariable x);
    }

    /** kxk conv, stride 1, "same" padding (k/2), NCHW, PyTorch weight layout [out, in, k, k]. */
    static Conv declareConv(SameDiff sd, Parameters p, String prefix, long in, long out, int k) {
        long fanIn = in * k * k;
        SDVariable w = var(sd, p, prefix + ".weight", new long[] {out, in, k, k}, Init.WEIGHT, fanIn);
        SDVariable b = var(sd, p, prefix + ".bias", new long[] {out}, Init.BIAS, fanIn);
        SDVariable yxio = sd.permute(w, 2, 3, 1, 0);
        Conv2DConfig cfg = Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1).pH(k / 2).pW(k / 2).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        return x -> sd.cnn().conv2d(x, yxio, b, cfg);
    }

    /** GroupNorm over (C/G)·H·W per sample and group, biased variance, affine γ/β per channel. */
    static SDVariable groupNorm(SameDiff sd, Parameters p, String prefix, SDVariable x, long channels, int groups,
                                double eps) {
        return groupNorm(sd, p, prefix, x, channels, groups, eps, null, null);
    }

    /**
     * GroupNorm followed by an optional per-sample FiLM: {@code GN(x)·scale + shift} with {@code scale} and
     * {@code shift} [b, C] (null for plain GroupNorm). Computed as {@code (x − μ)·a + c} with the per-sample,
     * per-channel {@code a = rsqrt(σ² + eps)·γ(·scale)} and {@code c = β(·scale)(+ shift)}, so the only ops on
     * full-size tensors are the centring, the square (a multiply: {@code square}'s backward is a slow {@code pow}
     * derivative), two [2, 3] means, one multiply and one add. Statistics are means over H·W per channel, averaged
     * over the channels of each group by a [C, C] block matrix (the group mean and biased variance, repeated per
     * channel). The multiply's per-channel factor is expanded to full size by an outer product with ones
     * ({@link #expand}): ND4J's broadcast {@code multiply_bp} tiles the small operand and is ~10× slower than the
     * whole pattern.
     */
    static SDVariable groupNorm(SameDiff sd, Parameters p, String prefix, SDVariable x, long channels, int groups,
                                double eps, SDVariable scale, SDVariable shift) {
        SDVariable gamma = var(sd, p, prefix + ".weight", new long[] {channels}, Init.ONES, 0);
        SDVariable beta = var(sd, p, prefix + ".bias", new long[] {channels}, Init.ZEROS, 0);
        SDVariable average = groupAverage(sd, x.dataType(), channels, groups);
        SDVariable mean = groupMean(sd, x.mean(false, 2, 3), average);
        SDVariable centred = x.sub(sd.reshape(mean, -1, channels, 1, 1));
        SDVariable variance = groupMean(sd, centred.mul(centred).mean(false, 2, 3), average);
        SDVariable a = sd.math().rsqrt(variance.add(eps)).mul(gamma);
        SDVariable c = beta;
        if (scale != null) {
            a = a.mul(scale);
            c = c.mul(scale);
        }
        if (shift != null) {
            c = c.add(shift);
        }
        SDVariable shiftFull = scale != null || shift != null ? sd.reshape(c, -1, channels, 1, 1) : sd.reshape(c, 1, channels, 1, 1);
        return centred.mul(expand(sd, a, x)).add(shiftFull);
    }

    /** Per-channel statistics [b, C] → the mean over each channel's group, per channel [b, C]. */
    private static SDVariable groupMean(SameDiff sd, SDVariable perChannel, SDVariable average) {
        return average == null ? perChannel : sd.mmul(perChannel, average);
    }

    /** The [C, C] block-diagonal matrix of 1/(C/G) that averages over groups, or null for one channel per group. */
    private static SDVariable groupAverage(SameDiff sd, org.nd4j.linalg.api.buffer.DataType dtype, long channels, int groups) {
        long perGroup = channels / groups;
        if (perGroup == 1) {
            return null;
        }
        double[][] m = new double[(int) channels][(int) channels];
        for (int i = 0; i < channels; i++) {
            for (int j = 0; j < channels; j++) {
                m[i][j] = i / perGroup == j / perGroup ? 1.0 / perGroup : 0.0;
            }
        }
        return sd.constant(Nd4j.create(m).castTo(dtype));
    }

    /**
     * {@code a} [b, C] repeated to the shape of {@code like} [b, C, H, W], as the outer product of a [b·C, 1]
     * column with a [1, H·W] row of ones (matmul has a fast backward; broadcast multiply does not).
     */
    static SDVariable expand(SameDiff sd, SDVariable a, SDVariable like) {
        SDVariable shape = sd.shape(like);
        SDVariable hw = sd.reshape(sd.prod(sd.slice(shape, new int[] {2}, 2)), 1);
        SDVariable ones = sd.fill(sd.concat(0, sd.constant(Nd4j.createFromArray(1L)), hw), a.dataType(), 1.0);
        return sd.reshape(sd.mmul(sd.reshape(a, -1, 1), ones), shape);
    }

    /**
     * SiLU, x·σ(x). Inference graphs use ND4J's fused {@code swish} (bit-identical forward, one op and one temporary
     * fewer: DDIM sampling of the small bench model 0.91 -> 0.99 img/s); graphs built inside {@link #differentiated}
     * keep the composed form, whose gradient rounds differently from swish's (up to 9e-7), so training keeps its
     * bits (and swish measured no faster there).
     */
    static SDVariable silu(SameDiff sd, SDVariable x) {
        return BUILDING_DIFFERENTIATED.get() ? x.mul(sd.nn().sigmoid(x)) : sd.nn().swish(x);
    }

    /** True on a thread while it builds a graph that will be differentiated. */
    private static final ThreadLocal<Boolean> BUILDING_DIFFERENTIATED = ThreadLocal.withInitial(() -> false);

    /** Runs {@code build} (on this thread) as the construction of a graph that will be differentiated. */
    static <T> T differentiated(java.util.function.Supplier<T> build) {
        boolean outer = BUILDING_DIFFERENTIATED.get();
        BUILDING_DIFFERENTIATED.set(true);
        try {
            return build.get();
        } finally {
            BUILDING_DIFFERENTIATED.set(outer);
        }
    }

    /** The batch dimension of a shape vector, as a [1] long vector for building dynamic shapes. */
    static SDVariable batch(SameDiff sd, SDVariable shape) {
        return sd.slice(shape, new int[] {0}, 1);
    }

    /** A [1]-shaped long vector {@code [b, rest...]} shape for reshape. */
    static SDVariable shapeOf(SameDiff sd, SDVariable batch, long... rest) {
        return sd.concat(0, batch, sd.constant(Nd4j.createFromArray(rest)));
    }

    private static SDVariable var(SameDiff sd, Parameters p, String name, long[] shape, Init init, long fanIn) {
        SDVariable existing = sd.getVariable(name);
        if (existing != null) {
            return existing;
        }
        return sd.var(name, p.get(name, shape, init, fanIn));
    }
}
