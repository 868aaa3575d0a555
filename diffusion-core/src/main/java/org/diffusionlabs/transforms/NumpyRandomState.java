package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Mt19937;

/**
 * The draws of NumPy's legacy {@code np.random.RandomState} (the global {@code np.random.*} functions) that the
 * reference's brush-stroke masks use ({@code transforms/inpainting_transform.py}, spec §7.4): {@code randint},
 * {@code random_sample}, {@code uniform} and {@code normal}, bit-compatible for an integer seed
 * ({@code np.random.seed(s)} = MT19937 {@code init_genrand(s)}).
 * <ul>
 *   <li>randint: bounded 32-bit draws by masked rejection (mask = smallest 2^k−1 covering the range);</li>
 *   <li>random_sample: 53-bit double from two draws, {@code ((a>>>5)·2^26 + (b>>>6)) / 2^53};</li>
 *   <li>normal: polar Box–Muller with a one-value cache (the second value of a pair is returned first).</li>
 * </ul>
 * Not thread-safe; every instance is explicitly seeded (there is no global state).
 */
public final class NumpyRandomState {
    private static final String OWNER = "NumpyRandomState";
    private final Mt19937 mt;
    private boolean hasGauss;
    private double gauss;

    /** Equivalent of {@code np.random.seed(seed)} for an integer seed in [0, 2^32). */
    public NumpyRandomState(long seed) {
        Checks.require(seed >= 0 && seed <= 0xFFFFFFFFL, OWNER, "seed", seed, "must be in [0, 2^32)");
        this.mt = new Mt19937(seed);
    }

    /** {@code np.random.randint(lo, hi)}: uniform integer in [lo, hi) (hi exclusive). */
    public long randint(long lo, long hi) {
        Checks.require(hi > lo, OWNER, "hi", hi, "must exceed lo=" + lo);
        long range = hi - 1 - lo; // closed range, as NumPy's bounded generator uses
        if (range == 0) {
            return lo;
        }
        Checks.require(range <= 0xFFFFFFFFL, OWNER, "hi - lo", hi - lo, "must be at most 2^32");
        if (range == 0xFFFFFFFFL) {
            return lo + mt.nextUnsigned32();
        }
        long mask = range;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        do {
            v = mt.nextUnsigned32() & mask;
        } while (v > range);
        return lo + v;
    }

    /** {@code np.random.randint(lo, hi, n)}: n draws, each as {@link #randint(long, long)}. */
    public long[] randint(long lo, long hi, int n) {
        Checks.require(n >= 0, OWNER, "n", n, "must be >= 0");
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = randint(lo, hi);
        }
        return out;
    }

    /** {@code np.random.random_sample()}: double in [0, 1) with 53 random bits. */
    public double randomSample() {
        long a = mt.nextUnsigned32() >>> 5;
        long b = mt.nextUnsigned32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** {@code np.random.uniform(lo, hi)} = lo + (hi − lo)·random_sample(). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * randomSample();
    }

    /** {@code np.random.standard_normal()} (legacy polar method with its cache). */
    public double standardNormal() {
        if (hasGauss) {
            hasGauss = false;
            double g = gauss;
            gauss = 0;
            return g;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * randomSample() - 1.0;
            x2 = 2.0 * randomSample() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code np.random.normal(loc, scale)} = loc + scale·standard_normal(). */
    public double normal(double loc, double scale) {
        return loc + scale * standardNormal();
    }
}
