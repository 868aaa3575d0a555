package org.diffusionlabs.nd;

import java.util.Arrays;

/**
 * The MT19937 Mersenne Twister (Matsumoto and Nishimura, 1998) with the standard 32-bit seeding,
 * the raw generator under PyTorch's CPU generator and NumPy's legacy {@code RandomState}.
 * Not thread-safe: one instance per thread or task.
 */
public final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int index;

    /** Seeds like {@code init_genrand}: state[0] = seed mod 2^32. */
    public Mt19937(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    private Mt19937(int[] state, int index) {
        System.arraycopy(state, 0, mt, 0, N);
        this.index = index;
    }

    /** The next tempered 32-bit output, as an unsigned value in a long. */
    public long nextUnsigned32() {
        return nextInt() & 0xFFFFFFFFL;
    }

    /** The next tempered 32-bit output (bits as an int). */
    public int nextInt() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            int next = mt[(i + M) % N] ^ (y >>> 1);
            mt[i] = (y & 1) != 0 ? next ^ 0x9908b0df : next;
        }
        index = 0;
    }

    /** A copy of the full state (624 words followed by the position), for checkpoints. */
    public int[] state() {
        int[] s = Arrays.copyOf(mt, N + 1);
        s[N] = index;
        return s;
    }

    /** Restores a generator from {@link #state()}. */
    public static Mt19937 fromState(int[] state) {
        Checks.require(state != null && state.length == N + 1, "Mt19937", "state", state == null ? null : state.length,
                "must hold " + (N + 1) + " words");
        Checks.require(state[N] >= 0 && state[N] <= N, "Mt19937", "state[624]", state[N], "position must be in [0, 624]");
        return new Mt19937(state, state[N]);
    }
}
