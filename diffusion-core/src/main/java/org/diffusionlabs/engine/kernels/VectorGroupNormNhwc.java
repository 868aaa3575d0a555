package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorGroupNormForward} over channels-last arrays [b, H, W, C] (C a multiple of the lane count), one sample
 * at a time in two passes: per channel Σ(x − K) and Σ(x − K)² about a pivot K, the group's first value (one pass
 * where the NCHW kernel makes two: the shift keeps the variance free of cancellation when |μ| ≫ σ, as the sample
 * value K lies within a few σ of μ), summed in float lanes over {@value #RUN} positions and then in float64; the
 * group statistics add their channels' sums; then {@code z = (x − μ)·A + B} with the same per-channel A and B as
 * the NCHW kernel, and the SiLU.
 */
final class VectorGroupNormNhwc {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    /** Positions summed in float lanes before a float64 flush. */
    static final int RUN = 64;

    private VectorGroupNormNhwc() {}

    static void run(GroupNormShape s, HostFloats x, HostFloats gamma, HostFloats beta, HostFloats scale,
                    HostFloats shift, double eps, boolean silu, HostFloats y, HostFloats stats) {
        KernelThreads.split(s.batch(), s.length(), (from, to) -> {
            for (int n = from; n < to; n++) {
                sample(s, n, x, gamma, beta, scale, shift, eps, silu, y, stats);
            }
        });
    }

    private static void sample(GroupNormShape s, int n, HostFloats x, HostFloats gamma, HostFloats beta,
                               HostFloats scale, HostFloats shift, double eps, boolean silu, HostFloats y,
                               HostFloats stats) {
        int c = s.channels();
        int hw = s.hw();
        int base = n * hw * c;
        int cpg = s.channelsPerGroup();
        int size = s.groupSize();
        float[] lanes = new float[L];
        double[] sum = new double[c];
        double[] sq = new double[c];
        float[] pivot = new float[c];
        for (int g = 0; g < s.groups(); g++) {
            java.util.Arrays.fill(pivot, g * cpg, (g + 1) * cpg, x.get(base + g * cpg));
        }
        shiftedSums(x, base, hw, c, pivot, sum, sq, lanes);
        float[] mean = new float[c];
        float[] a = new float[c];
        float[] b = new float[c];
        for (int g = 0; g < s.groups(); g++) {
            double s1 = 0;
            double s2 = 0;
            for (int j = 0; j < cpg; j++) {
                s1 += sum[g * cpg + j];
                s2 += sq[g * cpg + j];
            }
            double d = s1 / size;
            double var = Math.max(0, s2 / size - d * d);
            float m = (float) (pivot[g * cpg] + d);
            java.util.Arrays.fill(mean, g * cpg, (g + 1) * cpg, m);
            float rstd = (float) (1 / Math.sqrt(var + eps));
            int ng = n * s.groups() + g;
            stats.put(2 * ng, m);
            stats.put(2 * ng + 1, rstd);
            for (int j = 0; j < cpg; j++) {
                int ch = g * cpg + j;
                double film = scale == null ? 1 : 1 + (double) scale.get(n * c + ch);
                double sh = shift == null ? 0 : shift.get(n * c + ch);
                a[ch] = (float) (rstd * (double) gamma.get(ch) * film);
                b[ch] = (float) (beta.get(ch) * film + sh);
            }
        }
        for (int p0 = 0; p0 < hw; p0 += RUN) {
            int end = Math.min(hw, p0 + RUN);
            for (int k = 0; k < c; k += L) {
                if (silu) {
                    affineSilu(x, y, base, p0, end, c, k, mean, a, b);
                } else {
                    affinePlain(x, y, base, p0, end, c, k, mean, a, b);
                }
            }
        }
    }

    private static void affineSilu(HostFloats x, HostFloats y, int base, int from, int to, int c, int k,
                                   float[] mean, float[] a, float[] b) {
        FloatVector vm = FloatVector.fromArray(S, mean, k);
        FloatVector va = FloatVector.fromArray(S, a, k);
        FloatVector vb = FloatVector.fromArray(S, b, k);
        for (int p = from; p < to; p++) {
            int at = base + p * c + k;
            FloatVector z = FloatVector.fromByteBuffer(S, x.buf(), x.at(at), HostFloats.ORDER).sub(vm).fma(va, vb);
            z.mul(VectorMath.sigmoid(z)).intoByteBuffer(y.buf(), y.at(at), HostFloats.ORDER);
        }
    }

    private static void affinePlain(HostFloats x, HostFloats y, int base, int from, int to, int c, int k,
                                    float[] mean, float[] a, float[] b) {
        FloatVector vm = FloatVector.fromArray(S, mean, k);
        FloatVector va = FloatVector.fromArray(S, a, k);
        FloatVector vb = FloatVector.fromArray(S, b, k);
        for (int p = from; p < to; p++) {
            int at = base + p * c + k;
            FloatVector.fromByteBuffer(S, x.buf(), x.at(at), HostFloats.ORDER).sub(vm).fma(va, vb)
                    .intoByteBuffer(y.buf(), y.at(at), HostFloats.ORDER);
        }
    }

    /**
     * Per channel Σ(x − pivot) into {@code sum} and Σ(x − pivot)² into {@code sq} over the hw positions of the sample
     * starting at element {@code base}, {@value #RUN} positions at a time (a run of all channels stays in L1 while
     * each lane block sums it).
     */
    private static void shiftedSums(HostFloats x, int base, int hw, int c, float[] pivot, double[] sum, double[] sq,
                                    float[] lanes) {
        for (int p0 = 0; p0 < hw; p0 += RUN) {
            int end = Math.min(hw, p0 + RUN);
            for (int k = 0; k < c; k += L) {
                FloatVector vc = FloatVector.fromArray(S, pivot, k);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                for (int p = p0; p < end; p++) {
                    FloatVector d = FloatVector.fromByteBuffer(S, x.buf(), x.at(base + p * c + k), HostFloats.ORDER)
                            .sub(vc);
                    a1 = a1.add(d);
                    a2 = d.fma(d, a2);
                }
                flush(a1, sum, k, lanes);
                flush(a2, sq, k, lanes);
            }
        }
    }

    /** Adds the lanes of {@code v} to {@code into[k..k+L)} in float64. */
    private static void flush(FloatVector v, double[] into, int k, float[] lanes) {
        v.intoArray(lanes, 0);
        for (int i = 0; i < L; i++) {
            into[k + i] += lanes[i];
        }
    }
}
