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
        SDVariable gamma = var(sd, p, prefix + ".weight", new long[] {channels}, Init.ONES, 0);
        SDVariable beta = var(sd, p, prefix + ".bias", new long[] {channels}, Init.ZEROS, 0);
        SDVariable shape = sd.shape(x);
        SDVariable grouped = sd.reshape(x, sd.concat(0, batch(sd, shape), sd.constant(Nd4j.createFromArray((long) groups, -1L))));
        SDVariable centred = grouped.sub(grouped.mean(true, 2));
        SDVariable variance = centred.mul(centred).mean(true, 2);
        SDVariable normed = sd.reshape(centred.mul(sd.math().rsqrt(variance.add(eps))), shape);
        return normed.mul(sd.reshape(gamma, 1, channels, 1, 1)).add(sd.reshape(beta, 1, channels, 1, 1));
    }

    static SDVariable silu(SameDiff sd, SDVariable x) {
        return x.mul(sd.nn().sigmoid(x));
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
