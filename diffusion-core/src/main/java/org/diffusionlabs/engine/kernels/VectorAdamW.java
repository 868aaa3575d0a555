package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * AdamW and the EMA of the new weights in one pass over flat float32 buffers with the Vector API. Every
 * coefficient is rounded to float first and each element sees the float operations of {@code training.AdamW}
 * (ND4J scalar ops on float arrays) in the same order:
 * {@code p·(1 − lr·wd)}, {@code m·β1 + g·(1 − β1)}, {@code v·β2 + (g·g)·(1 − β2)},
 * {@code p − (m / (√v / bc2Sqrt + eps))·(lr/bc1)}, then {@code ema·d + p·(1 − d)}.
 */
final class VectorAdamW {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();

    private VectorAdamW() {}

    static void step(HostFloats p, HostFloats g, HostFloats m, HostFloats v, HostFloats ema, double lr, double beta1,
                     double beta2, double eps, double weightDecay, double bc1, double bc2Sqrt, double emaDecay) {
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float b1c = (float) (1 - beta1);
        float b2 = (float) beta2;
        float b2c = (float) (1 - beta2);
        float bc2 = (float) bc2Sqrt;
        float e = (float) eps;
        float stepSize = (float) (lr / bc1);
        float d = (float) emaDecay;
        float dc = (float) (1 - emaDecay);
        VectorElementwise.chunked(p.length(), (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += L) {
                FloatVector gi = load(g, i);
                FloatVector mi = load(m, i).mul(b1).add(gi.mul(b1c));
                FloatVector vi = load(v, i).mul(b2).add(gi.mul(gi).mul(b2c));
                FloatVector den = vi.sqrt().div(bc2).add(e);
                FloatVector pi = load(p, i).mul(decay).sub(mi.div(den).mul(stepSize));
                mi.intoByteBuffer(m.buf(), m.at(i), HostFloats.ORDER);
                vi.intoByteBuffer(v.buf(), v.at(i), HostFloats.ORDER);
                pi.intoByteBuffer(p.buf(), p.at(i), HostFloats.ORDER);
                if (ema != null) {
                    load(ema, i).mul(d).add(pi.mul(dc)).intoByteBuffer(ema.buf(), ema.at(i), HostFloats.ORDER);
                }
            }
            for (; i < to; i++) {
                float gi = g.get(i);
                float mi = m.get(i) * b1 + gi * b1c;
                float vi = v.get(i) * b2 + gi * gi * b2c;
                float den = (float) Math.sqrt(vi) / bc2 + e;
                float pi = p.get(i) * decay - mi / den * stepSize;
                m.put(i, mi);
                v.put(i, vi);
                p.put(i, pi);
                if (ema != null) {
                    ema.put(i, ema.get(i) * d + pi * dc);
                }
            }
        });
    }

    private static FloatVector load(HostFloats h, int i) {
        return FloatVector.fromByteBuffer(S, h.buf(), h.at(i), HostFloats.ORDER);
    }
}
