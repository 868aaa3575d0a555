package org.diffusionlabs.nd;

/**
 * Pillow's {@code Image.resize} on 8-bit images (libImaging {@code Resample.c}), so data pipelines written against
 * PIL give the same bytes here. Separable: a horizontal pass, then a vertical pass, each skipped when its size does
 * not change. Output pixel i has centre {@code (i + 0.5)·scale} ({@code scale = in/out}); when shrinking the filter
 * is stretched by the scale (antialiasing). Weights are normalised to sum 1, then turned into 22-bit fixed point
 * (rounded half away from zero); each pass accumulates in integers from ½ and rounds to 0..255 (clipping the
 * over- and undershoot of the bicubic filter). Channels are resampled independently, as Pillow does for L and RGB.
 */
public final class PillowResample {
    private static final String OWNER = "PillowResample";
    /** 32 − 8 − 2 bits: 8-bit samples, two bits of headroom for negative lobes. */
    private static final int PRECISION_BITS = 22;

    private PillowResample() {}

    /** The resampling filters used by the reference's pipelines, with Pillow's supports. */
    public enum Filter {
        /** Area average (support ½): box over (−½, ½]. */
        BOX(0.5),
        /** Triangle (support 1). */
        BILINEAR(1.0),
        /** Cubic convolution with a = −0.5 (support 2). */
        BICUBIC(2.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            return switch (this) {
                case BOX -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
                case BILINEAR -> Math.abs(x) < 1.0 ? 1.0 - Math.abs(x) : 0.0;
                case BICUBIC -> cubic(Math.abs(x));
            };
        }

        private static double cubic(double x) {
            final double a = -0.5;
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    }

    /**
     * Resizes {@code channels} planes of {@code height × width} 8-bit values (channel-major, row-major, each in 0..255)
     * to {@code outHeight × outWidth}; returns a new array in the same layout.
     */
    public static int[] resize(int[] codes, int channels, int height, int width, int outHeight, int outWidth,
                               Filter filter) {
        Checks.notNull(codes, OWNER, "codes");
        Checks.notNull(filter, OWNER, "filter");
        Checks.require(channels > 0 && height > 0 && width > 0, OWNER, "channels/height/width",
                channels + "/" + height + "/" + width, "must be > 0");
        Checks.require(outHeight > 0 && outWidth > 0, OWNER, "outHeight/outWidth", outHeight + "/" + outWidth,
                "must be > 0");
        Checks.require((long) channels * height * width == codes.length, OWNER, "codes.length", codes.length,
                "must be channels·height·width = " + (long) channels * height * width);
        Checks.require((long) channels * outHeight * outWidth <= Integer.MAX_VALUE, OWNER, "output size",
                (long) channels * outHeight * outWidth, "must be < 2^31 values");
        int[] out = new int[channels * outHeight * outWidth];
        Coefficients fx = outWidth == width ? null : Coefficients.of(width, outWidth, filter);
        Coefficients fy = outHeight == height ? null : Coefficients.of(height, outHeight, filter);
        for (int c = 0; c < channels; c++) {
            int[] plane = new int[height * width];
            System.arraycopy(codes, c * height * width, plane, 0, plane.length);
            int[] mid = fx == null ? plane : pass(plane, height, width, outWidth, fx, true);
            int[] done = fy == null ? mid : pass(mid, height, outWidth, outHeight, fy, false);
            System.arraycopy(done, 0, out, c * outHeight * outWidth, done.length);
        }
        return out;
    }

    /** One pass along rows ({@code horizontal}) or columns of a {@code rows × cols} plane to {@code outLen}. */
    private static int[] pass(int[] in, int rows, int cols, int outLen, Coefficients k, boolean horizontal) {
        int outRows = horizontal ? rows : outLen;
        int outCols = horizontal ? outLen : cols;
        int[] out = new int[outRows * outCols];
        for (int r = 0; r < outRows; r++) {
            for (int col = 0; col < outCols; col++) {
                int i = horizontal ? col : r;
                int acc = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < k.count[i]; j++) {
                    int src = k.first[i] + j;
                    acc += in[horizontal ? r * cols + src : src * cols + col] * k.fixed[i][j];
                }
                out[r * outCols + col] = clip8(acc);
            }
        }
        return out;
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for one axis. */
    private record Coefficients(int[] first, int[] count, int[][] fixed) {
        static Coefficients of(int in, int out, Filter filter) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            double ss = 1.0 / filterScale;
            int[] first = new int[out];
            int[] count = new int[out];
            int[][] fixed = new int[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));   // (int) truncates toward zero, as C does
                int hi = Math.min(in, (int) (center + support + 0.5));
                double[] w = new double[Math.max(0, hi - lo)];
                double sum = 0;
                for (int j = 0; j < w.length; j++) {
                    w[j] = filter.weight((j + lo - center + 0.5) * ss);
                    sum += w[j];
                }
                fixed[i] = new int[w.length];
                for (int j = 0; j < w.length; j++) {
                    double v = (sum != 0 ? w[j] / sum : w[j]) * (1 << PRECISION_BITS);
                    fixed[i][j] = (int) (v < 0 ? v - 0.5 : v + 0.5);
                }
                first[i] = lo;
                count[i] = w.length;
            }
            return new Coefficients(first, count, fixed);
        }
    }
}
