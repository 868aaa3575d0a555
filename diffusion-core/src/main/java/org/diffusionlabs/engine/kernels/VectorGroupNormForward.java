package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GroupNorm + FiLM + SiLU forward over ND4J's buffers with the Vector API, one (sample, group) at a time (the
 * group's run of x stays in L1/L2 across the three passes): Σx, then Σ(x − μ) and Σ(x − μ)² about the float
 * mean μ (two passes: no cancellation when |μ| ≫ σ), then per channel {@code z = (x − μ)·A + B} with
 * A = rstd·γ·(1 + scale), B = β·(1 + scale) + shift, and y = z·σ(z) when SiLU is on.
 *
 * <p>Sums follow {@link VectorMath#BLOCK}'s three levels, so the result is fixed for a given vector width and
 * matches a float64 reference to ~1e-7 relative.
 */
final class VectorGroupNormForward {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();

    private VectorGroupNormForward() {}

    static void run(GroupNormShape s, HostFloats x, HostFloats gamma, HostFloats beta, HostFloats scale,
                    HostFloats shift, double eps, boolean silu, HostFloats y, HostFloats stats) {
        KernelThreads.split(s.batch() * s.groups(), s.length(), (from, to) -> {
            float[] lanes = new float[L];
            for (int ng = from; ng < to; ng++) {
                group(s, ng, x, gamma, beta, scale, shift, eps, silu, y, stats, lanes);
            }
        });
    }

    private static void group(GroupNormShape s, int ng, HostFloats x, HostFloats gamma, HostFloats beta,
                              HostFloats scale, HostFloats shift, double eps, boolean silu, HostFloats y,
                              HostFloats stats, float[] lanes) {
        int size = s.groupSize();
        int start = ng * size;
        float mean = (float) (sum(x, start, size, lanes) / size);
        double[] centred = centredSums(x, start, size, mean, lanes);
        double d = centred[0] / size;
        double var = Math.max(0, centred[1] / size - d * d);
        float rstd = (float) (1 / Math.sqrt(var + eps));
        stats.put(2 * ng, mean);
        stats.put(2 * ng + 1, rstd);
        int n = ng / s.groups();
        int c0 = (ng % s.groups()) * s.channelsPerGroup();
        for (int j = 0; j < s.channelsPerGroup(); j++) {
            int c = c0 + j;
            double film = scale == null ? 1 : 1 + (double) scale.get(n * s.channels() + c);
            double sh = shift == null ? 0 : shift.get(n * s.channels() + c);
            float a = (float) (rstd * (double) gamma.get(c) * film);
            float b = (float) (beta.get(c) * film + sh);
            affine(x, y, start + j * s.hw(), s.hw(), mean, a, b, silu);
        }
    }

    /** y = (x − mean)·a + b over [start, start + len), then SiLU (two loops: no branch inside the hot loop). */
    private static void affine(HostFloats x, HostFloats y, int start, int len, float mean, float a, float b,
                               boolean silu) {
        int up = S.loopBound(len);
        if (silu) {
            affineSilu(x, y, start, up, mean, a, b);
        } else {
            affinePlain(x, y, start, up, mean, a, b);
        }
        for (int i = up; i < len; i++) {
            float z = Math.fma(x.get(start + i) - mean, a, b);
            y.put(start + i, silu ? z * VectorMath.sigmoid(z) : z);
        }
    }

    private static void affineSilu(HostFloats x, HostFloats y, int start, int up, float mean, float a, float b) {
        for (int i = 0; i < up; i += L) {
            FloatVector z = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean)
                    .fma(a, b);
            z.mul(VectorMath.sigmoid(z)).intoByteBuffer(y.buf(), y.at(start + i), HostFloats.ORDER);
        }
    }

    private static void affinePlain(HostFloats x, HostFloats y, int start, int up, float mean, float a, float b) {
        for (int i = 0; i < up; i += L) {
            FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean).fma(a, b)
                    .intoByteBuffer(y.buf(), y.at(start + i), HostFloats.ORDER);
        }
    }

    /** Σ x over [start, start + len). */
    static double sum(HostFloats x, int start, int len, float[] lanes) {
        int up = len - len % (2 * L);
        double total = 0;
        int i = 0;
        while (i < up) {
            int flush = Math.min(up, i + VectorMath.FLUSH);
            FloatVector outer = FloatVector.zero(S);
            while (i < flush) {
                int end = Math.min(flush, i + VectorMath.BLOCK);
                FloatVector acc0 = FloatVector.zero(S);
                FloatVector acc1 = FloatVector.zero(S);
                for (; i < end; i += 2 * L) {
                    acc0 = acc0.add(FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER));
                    acc1 = acc1.add(FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i + L), HostFloats.ORDER));
                }
                outer = outer.add(acc0.add(acc1));
            }
            outer.intoArray(lanes, 0);
            total += VectorMath.sum(lanes);
        }
        for (; i < len; i++) {
            total += x.get(start + i);
        }
        return total;
    }

    /** {Σ (x − mean), Σ (x − mean)²} over [start, start + len). */
    private static double[] centredSums(HostFloats x, int start, int len, float mean, float[] lanes) {
        int up = len - len % (2 * L);
        double s1 = 0;
        double s2 = 0;
        int i = 0;
        while (i < up) {
            int flush = Math.min(up, i + VectorMath.FLUSH);
            FloatVector o1 = FloatVector.zero(S);
            FloatVector o2 = FloatVector.zero(S);
            while (i < flush) {
                int end = Math.min(flush, i + VectorMath.BLOCK);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector b1 = FloatVector.zero(S);
                FloatVector b2 = FloatVector.zero(S);
                for (; i < end; i += 2 * L) {
                    FloatVector d = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean);
                    FloatVector e = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i + L), HostFloats.ORDER)
                            .sub(mean);
                    a1 = a1.add(d);
                    a2 = d.fma(d, a2);
                    b1 = b1.add(e);
                    b2 = e.fma(e, b2);
                }
                o1 = o1.add(a1.add(b1));
                o2 = o2.add(a2.add(b2));
            }
            o1.intoArray(lanes, 0);
            s1 += VectorMath.sum(lanes);
            o2.intoArray(lanes, 0);
            s2 += VectorMath.sum(lanes);
        }
        for (; i < len; i++) {
            double d = x.get(start + i) - mean;
            s1 += d;
            s2 += d * d;
        }
        return new double[] {s1, s2};
    }
}
