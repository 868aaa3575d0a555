package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, the logistic sigmoid and SiLU in float32 from our own polynomial, in a vector form and a scalar twin that
 * performs the same IEEE operations in the same order (so a tail element gets the bits a vector lane would).
 * Why not the Vector API's EXP: its result comes from the platform's math library (SVML or a Java fallback),
 * so bits could differ between CPUs and JDK builds; add/mul/div and fused multiply-add are exactly rounded
 * everywhere (fma needs the CPU's FMA unit to be fast: {@link KernelChoice} checks for it).
 *
 * <p>exp(x) = 2^k·p(r) with k = round(x·log2 e), r = x − k·ln 2 in two parts (Cody–Waite: k·LN2_HI is exact)
 * and p the degree-6 minimax polynomial for the relative error of e^r on |r| ≤ ln2/2 (our Remez fit, 1.9e-9
 * before float rounding); inputs are clamped to [−87, 88] so that 2^k stays a normal float. Relative error
 * ≤ ~1 ulp (tested ≤ 2e-7).
 */
final class VectorMath {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /**
     * Sums run in three levels so that no float adds more than 16 terms: float lanes over a block of 16 vectors
     * (two accumulators taking alternate vectors, so that consecutive adds do not wait on each other), block
     * partials in float lanes over {@link #FLUSH} elements (16 blocks), then the lanes into float64 in lane order.
     * The vector loops stop at a multiple of two vectors; the rest is added in float64 one element at a time.
     * Fixed for a given vector width; within ~1e-7 of float64 on 100k-element sums.
     */
    static final int BLOCK = 16 * SPECIES.length();
    static final int FLUSH = 16 * BLOCK;
    private static final float LO = -87f;
    private static final float HI = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2^23: t = x·log2 e + 1.5·2^23 is rounded to an integer, and k = t − 1.5·2^23 exactly. */
    private static final float ROUNDER = 12582912f;
    /**
     * t also holds k in its low mantissa bits, bits(t) = 0x4B400000 + k, so the exponent field of 2^k is
     * bits(t) − 0x4B400000 + 127. (Read this way rather than by a float→int conversion: the Vector API's F2I
     * convert is not intrinsified on JDK 17 for 512-bit vectors and runs ~15× slower.)
     */
    private static final int EXP_BIAS = 127 - 0x4B400000;
    private static final float NEG_LN2_HI = -0.693359375f;
    private static final float NEG_LN2_LO = 2.12194440e-4f;
    private static final float P0 = 1.0f;
    private static final float P1 = 1.0f;
    private static final float P2 = 0.4999999f;
    private static final float P3 = 0.1666642f;
    private static final float P4 = 0.041668225f;
    private static final float P5 = 0.008374816f;
    private static final float P6 = 0.0013836846f;

    private VectorMath() {}

    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LO).min(HI);
        FloatVector t = c.fma(LOG2E, ROUNDER);
        FloatVector k = t.sub(ROUNDER);
        FloatVector r = k.fma(FloatVector.broadcast(SPECIES, NEG_LN2_HI), c);
        r = k.fma(FloatVector.broadcast(SPECIES, NEG_LN2_LO), r);
        FloatVector p = r.fma(P6, P5).fma(r, FloatVector.broadcast(SPECIES, P4))
                .fma(r, FloatVector.broadcast(SPECIES, P3)).fma(r, FloatVector.broadcast(SPECIES, P2))
                .fma(r, FloatVector.broadcast(SPECIES, P1)).fma(r, FloatVector.broadcast(SPECIES, P0));
        IntVector bits = t.reinterpretAsInts();
        return p.mul(bits.add(EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    static float exp(float x) {
        float c = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(c, LOG2E, ROUNDER);
        float k = t - ROUNDER;
        float r = Math.fma(k, NEG_LN2_LO, Math.fma(k, NEG_LN2_HI, c));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P6, P5), r, P4), r, P3), r, P2), r, P1),
                r, P0);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + EXP_BIAS) << 23);
    }

    /** σ(z) = 1/(1 + e^−z). */
    static FloatVector sigmoid(FloatVector z) {
        return FloatVector.broadcast(SPECIES, 1f).div(exp(z.neg()).add(1f));
    }

    static float sigmoid(float z) {
        return 1f / (exp(-z) + 1f);
    }

    /**
     * The lanes of a vector, stored by the caller with {@code v.intoArray(lanes, 0)}, added in lane order in float64
     * ({@code reduceLanes(ADD)} leaves the order open). The caller stores the lanes itself: a vector passed to a method
     * C2 does not inline is boxed, one heap allocation per call (JDK 17; it was most of the main job's garbage).
     */
    static double sum(float[] lanes) {
        double s = 0;
        for (float f : lanes) {
            s += f;
        }
        return s;
    }
}
