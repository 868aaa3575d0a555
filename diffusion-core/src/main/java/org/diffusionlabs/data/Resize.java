package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.PillowResample;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The resize step of the training pipeline: torchvision's {@code Resize(size)} on a PIL image, i.e. Pillow's
 * {@code BILINEAR} resample (MNIST 28×28 → 32×32 in the tutorial). Pillow's algorithm is separable (a horizontal
 * pass, then a vertical pass): output pixel i has centre {@code (i + 0.5)·scale} in input coordinates
 * ({@code scale = in/out}), and averages the input pixels j with the triangle weight
 * {@code max(0, 1 − |j + 0.5 − centre| / f)}, {@code f = max(1, scale)}, normalised to sum 1 (so upsampling is
 * plain bilinear with half-pixel centres, and shrinking widens the filter — antialiasing).
 *
 * <p>{@link #bilinear} computes this in floating point on {@code [n, c, h, w]} float arrays (the same weights as
 * torch's {@code interpolate(mode="bilinear", antialias=True)}); it does not reproduce Pillow's 8-bit rounding, so it
 * differs from torchvision-on-PIL by at most one grey level (1/255; two roundings of ≤ ½). {@link #bilinearUint8} reproduces
 * Pillow exactly for images whose values are {@code k/255} (as all readers of this package give): 22-bit fixed-point
 * weights and rounding to uint8 after each pass ({@link PillowResample}).
 */
public final class Resize {
    private static final String OWNER = "Resize";

    private Resize() {}

    /** {@link #bilinear(INDArray, int, int)} to a square {@code size × size}. */
    public static INDArray bilinear(INDArray x, int size) {
        return bilinear(x, size, size);
    }

    /** Resizes float {@code [n, c, h, w]} to {@code [n, c, outH, outW]} in floating point; the input is unchanged. */
    public static INDArray bilinear(INDArray x, int outH, int outW) {
        return resize(x, outH, outW, false);
    }

    /** {@link #bilinearUint8(INDArray, int, int)} to a square {@code size × size}. */
    public static INDArray bilinearUint8(INDArray x, int size) {
        return bilinearUint8(x, size, size);
    }

    /**
     * Resizes exactly as Pillow does on a uint8 image: each value is taken as {@code round(255·v)} (clamped to
     * 0..255), filtered in fixed point with rounding to uint8 after each pass, and returned as {@code k/255}.
     */
    public static INDArray bilinearUint8(INDArray x, int outH, int outW) {
        return resize(x, outH, outW, true);
    }

    private static INDArray resize(INDArray x, int outH, int outW, boolean uint8) {
        Checks.notNull(x, OWNER, "x");
        Checks.require(x.rank() == 4, OWNER, "x.shape", x.shape(), "must be rank 4 [n, c, h, w]");
        Checks.require(x.dataType() == DataType.FLOAT, OWNER, "x.dataType", x.dataType(), "must be FLOAT");
        Checks.require(outH > 0, OWNER, "outH", outH, "must be > 0");
        Checks.require(outW > 0, OWNER, "outW", outW, "must be > 0");
        long planes = x.size(0) * x.size(1);
        int h = Math.toIntExact(x.size(2));
        int w = Math.toIntExact(x.size(3));
        Checks.require(planes * outH * outW <= Integer.MAX_VALUE, OWNER, "output size", planes * outH * outW,
                "must be < 2^31 elements");
        float[] src = x.dup('c').data().asFloat();
        float[] dst = new float[Math.toIntExact(planes * outH * outW)];
        Filter horizontal = Filter.of(w, outW);
        Filter vertical = Filter.of(h, outH);
        float[] tmp = new float[h * outW];
        for (int p = 0; p < planes; p++) {
            int in0 = p * h * w;
            int out0 = p * outH * outW;
            if (uint8) {
                plane8(src, in0, h, w, outH, outW, dst, out0);
            } else {
                planeFloat(src, in0, h, w, outH, outW, horizontal, vertical, tmp, dst, out0);
            }
        }
        return Nd4j.create(dst, new long[] {x.size(0), x.size(1), outH, outW}, 'c');
    }

    /** Resizes one {@code h × w} float plane (used by the image-folder reader). */
    static float[] plane(float[] src, int h, int w, int outH, int outW) {
        float[] out = new float[outH * outW];
        planeFloat(src, 0, h, w, outH, outW, Filter.of(w, outW), Filter.of(h, outH), new float[h * outW], out, 0);
        return out;
    }

    private static void planeFloat(float[] src, int in0, int h, int w, int outH, int outW, Filter fx, Filter fy,
                                   float[] tmp, float[] dst, int out0) {
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < outW; i++) {
                double s = 0;
                for (int k = 0; k < fx.count[i]; k++) {
                    s += src[in0 + y * w + fx.first[i] + k] * fx.weights[i][k];
                }
                tmp[y * outW + i] = (float) s;
            }
        }
        for (int j = 0; j < outH; j++) {
            for (int i = 0; i < outW; i++) {
                double s = 0;
                for (int k = 0; k < fy.count[j]; k++) {
                    s += tmp[(fy.first[j] + k) * outW + i] * fy.weights[j][k];
                }
                dst[out0 + j * outW + i] = (float) s;
            }
        }
    }

    /** Pillow's 8-bit path ({@link PillowResample}) on one plane: values taken as {@code round(255·v)}, clamped. */
    private static void plane8(float[] src, int in0, int h, int w, int outH, int outW, float[] dst, int out0) {
        int[] in = new int[h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = (int) Math.max(0, Math.min(255, Math.round(src[in0 + i] * 255.0)));
        }
        int[] out = PillowResample.resize(in, 1, h, w, outH, outW, PillowResample.Filter.BILINEAR);
        for (int i = 0; i < out.length; i++) {
            dst[out0 + i] = PixelBuffer.unit(out[i]);
        }
    }

    /** Pillow's {@code precompute_coeffs} for the triangle (bilinear) filter, support 1. */
    private record Filter(int[] first, int[] count, double[][] weights) {
        static Filter of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(1.0, scale);
            double support = filterScale;
            int[] first = new int[out];
            int[] count = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));   // (int) truncates toward zero, as in C
                int hi = Math.min(in, (int) (center + support + 0.5));
                double[] k = new double[Math.max(0, hi - lo)];
                double sum = 0;
                for (int j = 0; j < k.length; j++) {
                    double t = Math.abs((j + lo - center + 0.5) / filterScale);
                    k[j] = t < 1 ? 1 - t : 0;
                    sum += k[j];
                }
                for (int j = 0; j < k.length && sum != 0; j++) {
                    k[j] /= sum;
                }
                first[i] = lo;
                count[i] = k.length;
                weights[i] = k;
            }
            return new Filter(first, count, weights);
        }
    }
}
