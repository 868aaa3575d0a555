package org.diffusionlabs.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Resizes NCHW tensors like {@code torch.nn.functional.interpolate(x, size=(h, w), mode, align_corners=False,
 * antialias)} (spec §13), used by the super-resolution adapter and transform of the reference
 * ({@code adapters/super_resolution.py}, {@code transforms/super_resolution_transform.py}).
 *
 * <p>Every mode is separable, so the resize is two matrix products with weight matrices built per output index:
 * the rows of the tensor ({@code [N·C·inH, inW]}) times {@code Wwᵀ}, then the columns times {@code Whᵀ}.
 * <ul>
 *   <li>{@link Mode#BICUBIC}, no antialias: Keys cubic with A = −0.75, source index {@code scale·(i+0.5)−0.5}
 *       (not clamped), four taps clamped to the border.</li>
 *   <li>{@link Mode#BICUBIC} / {@link Mode#BILINEAR} with antialias: PyTorch's Pillow-compatible separable filter
 *       (cubic a = −0.5, resp. triangle), support scaled by the ratio when shrinking, used for both down- and
 *       up-sampling, truncated at the borders and normalised to sum 1.</li>
 *   <li>{@link Mode#BILINEAR}, no antialias: linear with the source index clamped at 0.</li>
 *   <li>{@link Mode#NEAREST}: {@code min(floor(i·in/out), in−1)} (PyTorch's legacy "nearest").</li>
 * </ul>
 * Weights are computed in float64 and applied in the tensor's own dtype (float32 or float64).
 */
public final class Interpolation {
    private static final String OWNER = "Interpolation";
    private static final double CUBIC_A = -0.75;
    private static final double AA_CUBIC_A = -0.5;

    /** The interpolation kernels supported (the reference uses bicubic by default). */
    public enum Mode {
        NEAREST, BILINEAR, BICUBIC;

        /** Parses the reference's mode strings ("nearest", "bilinear", "bicubic"), case-insensitively. */
        public static Mode parse(String name) {
            Checks.notNull(name, OWNER, "mode");
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(Checks.message(OWNER, "mode", name, "must be nearest, bilinear or bicubic"));
        }
    }

    private Interpolation() {}

    /**
     * Resizes {@code x} ({@code [N, C, H, W]}, float or double) to {@code [N, C, outH, outW]}. The input is not
     * modified. Antialias is only defined for bilinear and bicubic (as in PyTorch).
     */
    public static INDArray resize(INDArray x, int outH, int outW, Mode mode, boolean antialias) {
        Checks.notNull(x, OWNER, "x");
        Checks.notNull(mode, OWNER, "mode");
        Checks.require(x.rank() == 4, OWNER, "x.shape", x.shape(), "must be rank 4 (NCHW)");
        Checks.require(x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE, OWNER, "x.dataType",
                x.dataType(), "must be FLOAT or DOUBLE");
        Checks.positive(outH, OWNER, "outH");
        Checks.positive(outW, OWNER, "outW");
        Checks.require(!antialias || mode != Mode.NEAREST, OWNER, "antialias", antialias,
                "is only supported for bilinear and bicubic modes");
        long n = x.size(0);
        long c = x.size(1);
        int inH = Math.toIntExact(x.size(2));
        int inW = Math.toIntExact(x.size(3));
        DataType type = x.dataType();
        INDArray ww = Nd4j.create(weights(inW, outW, mode, antialias)).castTo(type);
        INDArray wh = Nd4j.create(weights(inH, outH, mode, antialias)).castTo(type);
        // Width pass: [N·C·inH, inW] · Wwᵀ → [N·C·inH, outW].
        INDArray rows = x.dup('c').reshape('c', n * c * inH, inW).mmul(ww.transpose());
        // Height pass: [N·C, outW, inH] → [N·C·outW, inH] · Whᵀ → [N·C, outW, outH] → [N, C, outH, outW].
        INDArray cols = rows.reshape('c', n * c, inH, outW).permute(0, 2, 1).dup('c')
                .reshape('c', n * c * outW, inH).mmul(wh.transpose());
        return cols.reshape('c', n * c, outW, outH).permute(0, 2, 1).dup('c').reshape('c', n, c, outH, outW);
    }

    /** {@link #resize(INDArray, int, int, Mode, boolean)} to a square size. */
    public static INDArray resize(INDArray x, int size, Mode mode, boolean antialias) {
        return resize(x, size, size, mode, antialias);
    }

    /** The {@code [out, in]} weight matrix of one axis (row i holds the weights of output index i). */
    public static double[][] weights(int in, int out, Mode mode, boolean antialias) {
        Checks.positive(in, OWNER, "in");
        Checks.positive(out, OWNER, "out");
        double[][] w = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            if (antialias) {
                antialiasRow(w[i], scale, i, mode);
            } else if (mode == Mode.BICUBIC) {
                cubicRow(w[i], scale, i);
            } else if (mode == Mode.BILINEAR) {
                linearRow(w[i], scale, i);
            } else {
                w[i][nearestIndex(in, out, i)] = 1.0;
            }
        }
        return w;
    }

    private static int nearestIndex(int in, int out, int i) {
        if (in == out) {
            return i;
        }
        float scale = (float) in / out;
        return Math.min((int) Math.floor(i * scale), in - 1);
    }

    private static void cubicRow(double[] row, double scale, int i) {
        int in = row.length;
        double src = scale * (i + 0.5) - 0.5;
        int i0 = (int) Math.floor(src);
        double f = src - i0;
        double[] taps = {cubicFar(1 + f), cubicNear(f), cubicNear(1 - f), cubicFar(2 - f)};
        for (int k = 0; k < 4; k++) {
            int j = Math.min(Math.max(i0 - 1 + k, 0), in - 1);
            row[j] += taps[k];
        }
    }

    /** Keys cubic for |d| ≤ 1, A = −0.75. */
    private static double cubicNear(double d) {
        return ((CUBIC_A + 2) * d - (CUBIC_A + 3)) * d * d + 1;
    }

    /** Keys cubic for 1 < |d| < 2, A = −0.75. */
    private static double cubicFar(double d) {
        return ((CUBIC_A * d - 5 * CUBIC_A) * d + 8 * CUBIC_A) * d - 4 * CUBIC_A;
    }

    private static void linearRow(double[] row, double scale, int i) {
        int in = row.length;
        double src = Math.max(scale * (i + 0.5) - 0.5, 0.0);
        int i0 = Math.min((int) Math.floor(src), in - 1);
        int i1 = Math.min(i0 + 1, in - 1);
        double lambda = src - i0;
        row[i0] += 1 - lambda;
        row[i1] += lambda;
    }

    private static void antialiasRow(double[] row, double scale, int i, Mode mode) {
        int in = row.length;
        double halfSize = mode == Mode.BICUBIC ? 2.0 : 1.0;
        double support = scale >= 1.0 ? halfSize * scale : halfSize;
        double inv = scale >= 1.0 ? 1.0 / scale : 1.0;
        double center = scale * (i + 0.5);
        int lo = Math.max((int) (center - support + 0.5), 0);
        int hi = Math.min((int) (center + support + 0.5), in);
        double total = 0;
        for (int j = lo; j < hi; j++) {
            double x = (j - center + 0.5) * inv;
            double w = mode == Mode.BICUBIC ? aaCubic(x) : triangle(x);
            row[j] = w;
            total += w;
        }
        if (total != 0) {
            for (int j = lo; j < hi; j++) {
                row[j] /= total;
            }
        }
    }

    /** Pillow's bicubic filter, a = −0.5. */
    private static double aaCubic(double x) {
        double d = Math.abs(x);
        if (d < 1) {
            return ((AA_CUBIC_A + 2) * d - (AA_CUBIC_A + 3)) * d * d + 1;
        }
        if (d < 2) {
            return (((d - 5) * d + 8) * d - 4) * AA_CUBIC_A;
        }
        return 0;
    }

    private static double triangle(double x) {
        double d = Math.abs(x);
        return d < 1 ? 1 - d : 0;
    }
}
