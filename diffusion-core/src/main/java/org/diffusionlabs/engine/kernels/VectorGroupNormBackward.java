package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GroupNorm + FiLM + SiLU backward with the Vector API, one (sample, group) at a time, recomputing z from x and
 * the saved (μ, rstd) rather than storing it. Pass 1 per channel: z = (x − μ)·A + B as in the forward, the SiLU
 * gradient dz = dy·σ(z)·(1 + z·(1 − σ(z))) (kept in dx for pass 2), and Σdz, Σdz·(x − μ). From these, per
 * channel: dShift = Σdz, dScale = γ·Σdz·x̂ + β·Σdz, dβ += (1 + s)·Σdz, dγ += (1 + s)·Σdz·x̂; per group the two
 * means of dx̂ = dz·(1 + s)·γ and dx̂·x̂. Pass 2: dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)).
 *
 * <p>dγ/dβ sum over the batch: each (n, c) leaves its term in a float64 array and the terms are added in n
 * order after both threads finish, so the result does not depend on the thread split.
 */
final class VectorGroupNormBackward {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();

    private VectorGroupNormBackward() {}

    static void run(GroupNormShape s, HostFloats x, HostFloats gamma, HostFloats beta, HostFloats scale,
                    HostFloats shift, boolean silu, HostFloats stats, HostFloats dy, HostFloats dx,
                    HostFloats dGamma, HostFloats dBeta, HostFloats dScale, HostFloats dShift) {
        int bc = s.batch() * s.channels();
        double[] termGamma = new double[bc];
        double[] termBeta = new double[bc];
        KernelThreads.split(s.batch() * s.groups(), s.length(), (from, to) -> {
            float[] lanes = new float[L];
            for (int ng = from; ng < to; ng++) {
                group(s, ng, x, gamma, beta, scale, shift, silu, stats, dy, dx, dScale, dShift, termGamma,
                        termBeta, lanes);
            }
        });
        for (int c = 0; c < s.channels(); c++) {
            double g = 0;
            double b = 0;
            for (int n = 0; n < s.batch(); n++) {
                g += termGamma[n * s.channels() + c];
                b += termBeta[n * s.channels() + c];
            }
            dGamma.put(c, (float) (dGamma.get(c) + g));
            dBeta.put(c, (float) (dBeta.get(c) + b));
        }
    }

    private static void group(GroupNormShape s, int ng, HostFloats x, HostFloats gamma, HostFloats beta,
                              HostFloats scale, HostFloats shift, boolean silu, HostFloats stats, HostFloats dy,
                              HostFloats dx, HostFloats dScale, HostFloats dShift, double[] termGamma,
                              double[] termBeta, float[] lanes) {
        int size = s.groupSize();
        int hw = s.hw();
        int start = ng * size;
        float mean = stats.get(2 * ng);
        float rstd = stats.get(2 * ng + 1);
        int n = ng / s.groups();
        int c0 = (ng % s.groups()) * s.channelsPerGroup();
        double[] film = new double[s.channelsPerGroup()];
        double meanDxHat = 0;
        double meanDxHatXHat = 0;
        for (int j = 0; j < film.length; j++) {
            int c = c0 + j;
            int nc = n * s.channels() + c;
            film[j] = scale == null ? 1 : 1 + (double) scale.get(nc);
            double sh = shift == null ? 0 : shift.get(nc);
            float a = (float) (rstd * (double) gamma.get(c) * film[j]);
            float b = (float) (beta.get(c) * film[j] + sh);
            double[] sums = dzSums(x, dy, dx, start + j * hw, hw, mean, a, b, silu, lanes);
            double sumDz = sums[0];
            double sumDzXHat = rstd * sums[1];
            if (dShift != null) {
                dShift.put(nc, (float) sumDz);
            }
            if (dScale != null) {
                dScale.put(nc, (float) (gamma.get(c) * sumDzXHat + beta.get(c) * sumDz));
            }
            termBeta[nc] = film[j] * sumDz;
            termGamma[nc] = film[j] * sumDzXHat;
            double w = gamma.get(c) * film[j];
            meanDxHat += w * sumDz;
            meanDxHatXHat += w * sumDzXHat;
        }
        meanDxHat /= size;
        meanDxHatXHat /= size;
        float q = (float) (-(double) rstd * rstd * meanDxHatXHat);
        float r = (float) (-rstd * meanDxHat);
        HostFloats dz = silu ? dx : dy;
        for (int j = 0; j < film.length; j++) {
            float p = (float) (rstd * (double) gamma.get(c0 + j) * film[j]);
            input(x, dz, dx, start + j * hw, hw, mean, p, q, r);
        }
    }

    /**
     * Pass 1 over one channel: {Σdz, Σdz·(x − mean)}, and dz written to dx when SiLU is on. The SiLU and plain loops
     * are separate methods on purpose: a vector reassigned under a branch inside the loop makes C2 (JDK 17) box it,
     * one heap allocation per lane block (measured: ~9 MB/s of garbage in the main job, all from this loop).
     */
    private static double[] dzSums(HostFloats x, HostFloats dy, HostFloats dx, int start, int len, float mean,
                                   float a, float b, boolean silu, float[] lanes) {
        int up = S.loopBound(len);
        double[] sums = silu ? dzSumsSilu(x, dy, dx, start, up, mean, a, b, lanes) : dySums(x, dy, start, up, mean, lanes);
        for (int i = up; i < len; i++) {
            float xc = x.get(start + i) - mean;
            float g = dy.get(start + i);
            if (silu) {
                float z = Math.fma(xc, a, b);
                float sig = VectorMath.sigmoid(z);
                g = g * sig * Math.fma(1f - sig, z, 1f);
                dx.put(start + i, g);
            }
            sums[0] += g;
            sums[1] += (double) g * xc;
        }
        return sums;
    }

    /** {Σdz, Σdz·(x − mean)} over [start, start + up) with dz = dy·SiLU'(a·(x − mean) + b), dz stored in dx. */
    private static double[] dzSumsSilu(HostFloats x, HostFloats dy, HostFloats dx, int start, int up, float mean,
                                       float a, float b, float[] lanes) {
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
                for (; i < end; i += L) {
                    FloatVector xc = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean);
                    FloatVector z = xc.fma(a, b);
                    FloatVector sig = VectorMath.sigmoid(z);
                    FloatVector g = FloatVector.fromByteBuffer(S, dy.buf(), dy.at(start + i), HostFloats.ORDER)
                            .mul(sig).mul(sig.neg().add(1f).fma(z, FloatVector.broadcast(S, 1f)));
                    g.intoByteBuffer(dx.buf(), dx.at(start + i), HostFloats.ORDER);
                    a1 = a1.add(g);
                    a2 = g.fma(xc, a2);
                }
                o1 = o1.add(a1);
                o2 = o2.add(a2);
            }
            o1.intoArray(lanes, 0);
            s1 += VectorMath.sum(lanes);
            o2.intoArray(lanes, 0);
            s2 += VectorMath.sum(lanes);
        }
        return new double[] {s1, s2};
    }

    /** {Σdy, Σdy·(x − mean)} over [start, start + up) (no activation: dz = dy). */
    private static double[] dySums(HostFloats x, HostFloats dy, int start, int up, float mean, float[] lanes) {
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
                for (; i < end; i += L) {
                    FloatVector xc = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean);
                    FloatVector g = FloatVector.fromByteBuffer(S, dy.buf(), dy.at(start + i), HostFloats.ORDER);
                    a1 = a1.add(g);
                    a2 = g.fma(xc, a2);
                }
                o1 = o1.add(a1);
                o2 = o2.add(a2);
            }
            o1.intoArray(lanes, 0);
            s1 += VectorMath.sum(lanes);
            o2.intoArray(lanes, 0);
            s2 += VectorMath.sum(lanes);
        }
        return new double[] {s1, s2};
    }

    /** Pass 2 over one channel: dx = dz·p + (x − mean)·q + r. */
    private static void input(HostFloats x, HostFloats dz, HostFloats dx, int start, int len, float mean, float p,
                              float q, float r) {
        int up = S.loopBound(len);
        int i = 0;
        for (; i < up; i += L) {
            FloatVector xc = FloatVector.fromByteBuffer(S, x.buf(), x.at(start + i), HostFloats.ORDER).sub(mean);
            FloatVector.fromByteBuffer(S, dz.buf(), dz.at(start + i), HostFloats.ORDER)
                    .fma(FloatVector.broadcast(S, p), xc.fma(q, r))
                    .intoByteBuffer(dx.buf(), dx.at(start + i), HostFloats.ORDER);
        }
        for (; i < len; i++) {
            dx.put(start + i, Math.fma(dz.get(start + i), p, Math.fma(x.get(start + i) - mean, q, r)));
        }
    }
}
