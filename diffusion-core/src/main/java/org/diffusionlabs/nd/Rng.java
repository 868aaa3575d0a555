package org.diffusionlabs.nd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A seedable random generator that draws the same numbers as PyTorch's CPU generator
 * ({@code torch.manual_seed(s)} followed by {@code rand}, {@code randn}, {@code randint}), so a seeded Java run can be
 * compared value by value with the reference. Every stochastic function of this library takes an {@code Rng}
 * explicitly; there is no global generator. Not thread-safe: use one per thread (see {@link #split()}).
 */
public final class Rng {
    private static final double TWO_PI = 2.0 * Math.PI;
    private final Mt19937 mt;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** Equivalent of {@code torch.manual_seed(seed)}. */
    public Rng(long seed) {
        this.mt = new Mt19937(seed);
    }

    private Rng(Mt19937 mt, boolean hasCached, double cached) {
        this.mt = mt;
        this.hasCachedNormal = hasCached;
        this.cachedNormal = cached;
    }

    /** One raw 32-bit draw, unsigned. */
    public long nextUnsigned32() {
        return mt.nextUnsigned32();
    }

    /** One raw 64-bit draw: the first 32-bit draw is the high word. */
    public long nextLong64() {
        long hi = mt.nextUnsigned32();
        long lo = mt.nextUnsigned32();
        return (hi << 32) | lo;
    }

    /** Float32 uniform in [0, 1) with 24 random bits, as {@code torch.rand}. */
    public float uniformFloat() {
        return (mt.nextInt() & 0xFFFFFF) * 0x1.0p-24f;
    }

    /** Float64 uniform in [0, 1) with 53 random bits, as PyTorch's double uniform. */
    public double uniformDouble() {
        return (nextLong64() & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** Float64 standard normal with PyTorch's one-value Box-Muller cache (its scalar path). */
    public double normalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = uniformDouble();
        double u2 = uniformDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = TWO_PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /** Uniform integer in [lo, hi), as {@code torch.randint(lo, hi)}. */
    public long randint(long lo, long hi) {
        Checks.require(hi > lo, "Rng", "hi", hi, "must exceed lo=" + lo);
        long range = hi - lo;
        if (range < (1L << 32)) {
            return mt.nextUnsigned32() % range + lo;
        }
        return Long.remainderUnsigned(nextLong64(), range) + lo;
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates from the last position, one {@link #randint} each). */
    public int[] permutation(int n) {
        Checks.require(n >= 0, "Rng", "n", n, "must be >= 0");
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) randint(0, i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** {@code n} float32 uniforms in [0, 1). */
    public float[] uniformFloats(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = uniformFloat();
        }
        return out;
    }

    /**
     * {@code n} float32 standard normals, as {@code torch.randn} fills a contiguous float tensor: blocks of 16
     * uniforms through Box-Muller (8 pairs), a fresh final block when n is not a multiple of 16, and the scalar
     * double path below 16 elements.
     */
    public float[] normalFloats(int n) {
        float[] d = new float[n];
        if (n < 16) {
            for (int i = 0; i < n; i++) {
                d[i] = (float) normalDouble();
            }
            return d;
        }
        for (int i = 0; i < n; i++) {
            d[i] = uniformFloat();
        }
        for (int i = 0; i + 16 <= n; i += 16) {
            boxMuller16(d, i);
        }
        if (n % 16 != 0) {
            int start = n - 16;
            for (int i = 0; i < 16; i++) {
                d[start + i] = uniformFloat();
            }
            boxMuller16(d, start);
        }
        return d;
    }

    private static void boxMuller16(float[] d, int i) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - d[i + j];
            float u2 = d[i + j + 8];
            float radius = (float) Math.sqrt((float) (-2f * (float) Math.log(u1)));
            float theta = (float) (TWO_PI * u2);
            d[i + j] = radius * (float) Math.cos(theta);
            d[i + j + 8] = radius * (float) Math.sin(theta);
        }
    }

    /** Float32 tensor of standard normals, as {@code torch.randn(shape)}. */
    public INDArray randn(long... shape) {
        return Nd4j.create(normalFloats(Math.toIntExact(count(shape))), shape, 'c');
    }

    /**
     * Float32 tensor of uniforms in [from, to), as {@code tensor.uniform_(from, to)}: bounds rounded to float32 and
     * u·(to − from) + from fused into one rounding, as PyTorch's AVX2-compiled CPU kernel computes it (its compiler
     * contracts the expression into an FMA; checked bit-exact against torch's default layer initialisation).
     */
    public INDArray uniform(double from, double to, long... shape) {
        Checks.require(from <= to, "Rng", "from", from, "must be <= to=" + to);
        float lo = (float) from;
        float span = (float) to - lo;
        float[] v = new float[Math.toIntExact(count(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.fma(uniformFloat(), span, lo);
        }
        return Nd4j.create(v, shape, 'c');
    }

    /** Float32 tensor of uniforms in [0, 1), as {@code torch.rand(shape)}. */
    public INDArray rand(long... shape) {
        return Nd4j.create(uniformFloats(Math.toIntExact(count(shape))), shape, 'c');
    }

    /** Tensor of {@code n} integers in [lo, hi) of the given integer type, as {@code torch.randint(lo, hi, (n,))}. */
    public INDArray randint(long lo, long hi, int n, DataType type) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = randint(lo, hi);
        }
        return Nd4j.createFromArray(v).castTo(type);
    }

    /**
     * A new independent generator seeded from this one's next 64-bit draw (for handing to a thread or a stage
     * without sharing state).
     */
    public Rng split() {
        return new Rng(nextLong64());
    }

    /** The complete state, for checkpoints: the twister words, then the normal cache flag and value bits. */
    public long[] state() {
        int[] s = mt.state();
        long[] out = new long[s.length + 2];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        out[s.length] = hasCachedNormal ? 1 : 0;
        out[s.length + 1] = Double.doubleToRawLongBits(cachedNormal);
        return out;
    }

    /** Restores a generator saved with {@link #state()}. */
    public static Rng fromState(long[] state) {
        Checks.require(state != null && state.length == 627, "Rng", "state", state == null ? null : state.length,
                "must hold 627 values");
        int[] words = new int[625];
        for (int i = 0; i < 625; i++) {
            words[i] = (int) state[i];
        }
        return new Rng(Mt19937.fromState(words), state[625] != 0, Double.longBitsToDouble(state[626]));
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            Checks.require(s >= 0, "Rng", "shape", Arrays.toString(shape), "dimensions must be >= 0");
            n = Math.multiplyExact(n, s);
        }
        return n;
    }
}
