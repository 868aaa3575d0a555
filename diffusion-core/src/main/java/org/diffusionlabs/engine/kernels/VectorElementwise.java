package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise kernels with the Vector API (SiLU forward and backward, inverted dropout) and Σx² in float64.
 * Work is cut into fixed chunks of {@link #CHUNK} elements, split over {@link KernelThreads}; Σx² keeps one
 * partial per chunk and adds the partials in chunk order, so it is the same with one thread or two.
 */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    static final int CHUNK = 1 << 14;

    private VectorElementwise() {}

    /** A loop over the elements [from, to). */
    interface Loop {
        void run(int from, int to);
    }

    /** Runs {@code loop} over [0, n) in chunks, over up to two threads. */
    static void chunked(int n, Loop loop) {
        KernelThreads.split(chunks(n), n, (c0, c1) -> loop.run(c0 * CHUNK, Math.min(n, c1 * CHUNK)));
    }

    static int chunks(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }

    static void silu(HostFloats x, HostFloats y) {
        chunked(x.length(), (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += L) {
                FloatVector v = FloatVector.fromByteBuffer(S, x.buf(), x.at(i), HostFloats.ORDER);
                v.mul(VectorMath.sigmoid(v)).intoByteBuffer(y.buf(), y.at(i), HostFloats.ORDER);
            }
            for (; i < to; i++) {
                float v = x.get(i);
                y.put(i, v * VectorMath.sigmoid(v));
            }
        });
    }

    static void siluBackward(HostFloats x, HostFloats dy, HostFloats dx) {
        chunked(x.length(), (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += L) {
                FloatVector v = FloatVector.fromByteBuffer(S, x.buf(), x.at(i), HostFloats.ORDER);
                FloatVector sig = VectorMath.sigmoid(v);
                FloatVector.fromByteBuffer(S, dy.buf(), dy.at(i), HostFloats.ORDER).mul(sig)
                        .mul(sig.neg().add(1f).fma(v, FloatVector.broadcast(S, 1f)))
                        .intoByteBuffer(dx.buf(), dx.at(i), HostFloats.ORDER);
            }
            for (; i < to; i++) {
                float v = x.get(i);
                float sig = VectorMath.sigmoid(v);
                dx.put(i, dy.get(i) * sig * Math.fma(1f - sig, v, 1f));
            }
        });
    }

    static void dropout(HostFloats x, HostFloats mask, float keepScale, HostFloats y) {
        chunked(x.length(), (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += L) {
                FloatVector.fromByteBuffer(S, x.buf(), x.at(i), HostFloats.ORDER)
                        .mul(FloatVector.fromByteBuffer(S, mask.buf(), mask.at(i), HostFloats.ORDER)).mul(keepScale)
                        .intoByteBuffer(y.buf(), y.at(i), HostFloats.ORDER);
            }
            for (; i < to; i++) {
                y.put(i, x.get(i) * mask.get(i) * keepScale);
            }
        });
    }

    static double sumOfSquares(HostFloats x) {
        int n = x.length();
        double[] partial = new double[chunks(n)];
        KernelThreads.split(partial.length, n, (c0, c1) -> {
            float[] lanes = new float[L];
            for (int c = c0; c < c1; c++) {
                partial[c] = squares(x, c * CHUNK, Math.min(n, (c + 1) * CHUNK), lanes);
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    private static double squares(HostFloats x, int from, int to, float[] lanes) {
        double total = 0;
        int i = from;
        int up = to - (to - from) % (2 * L);
        while (i < up) {
            int flush = Math.min(up, i + VectorMath.FLUSH);
            FloatVector outer = FloatVector.zero(S);
            while (i < flush) {
                int end = Math.min(flush, i + VectorMath.BLOCK);
                FloatVector acc0 = FloatVector.zero(S);
                FloatVector acc1 = FloatVector.zero(S);
                for (; i < end; i += 2 * L) {
                    FloatVector v = FloatVector.fromByteBuffer(S, x.buf(), x.at(i), HostFloats.ORDER);
                    FloatVector w = FloatVector.fromByteBuffer(S, x.buf(), x.at(i + L), HostFloats.ORDER);
                    acc0 = v.fma(v, acc0);
                    acc1 = w.fma(w, acc1);
                }
                outer = outer.add(acc0.add(acc1));
            }
            outer.intoArray(lanes, 0);
            total += VectorMath.sum(lanes);
        }
        for (; i < to; i++) {
            double v = x.get(i);
            total += v * v;
        }
        return total;
    }
}
