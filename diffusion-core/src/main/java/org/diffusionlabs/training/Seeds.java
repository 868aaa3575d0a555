package org.diffusionlabs.training;

/**
 * Where every random stream of training comes from: a pure function of the run's seed, the data partition and
 * the optimiser step — never of time, thread or (on Spark) task attempt, so a retried task, a resumed run and a
 * different averaging frequency all draw the same numbers. The single-machine {@link Trainer} is partition 0:
 * optimiser step s draws t, ε, guidance keep masks and dropout masks from {@code Rng(step(seed, s, 0))}, and its
 * data order is that of {@code DataCursor} seeded with {@code data(seed, 0)}. On Spark, partition p of the round that
 * starts at step r·k runs local steps s = r·k … r·k + k − 1 with {@code Rng(step(seed, s, p))} — so one partition
 * replays the single machine exactly, whatever k. (DESIGN.md names this {@code Seeds.derive(seed, round, partition)};
 * deriving per step instead of per round is what makes the result independent of k.)
 * <p>
 * Mixing is SplitMix64's finaliser over the combined words; {@code Rng} seeds MT19937 with the low 32 bits, which the
 * finaliser mixes as well as the high ones.
 */
public final class Seeds {
    private static final long DATA = 0x6A09E667F3BCC908L;
    private static final long STEP = 0xBB67AE8584CAA73BL;
    private static final long SAMPLE = 0x3C6EF372FE94F82BL;
    private static final long ROW = 0xA54FF53A5F1D36F1L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /** Data-order seed of {@code partition} (0 on one machine): epoch e is shuffled by {@code Rng(data + e)}. */
    public static long data(long seed, int partition) {
        return derive(seed, DATA, partition, 0);
    }

    /** Seed of the generator of optimiser step {@code step} (0-based, counted over the whole run) on {@code partition}. */
    public static long step(long seed, long step, int partition) {
        return derive(seed, STEP, partition, step);
    }

    /**
     * Seed of the sampling noise (x_T and every step's noise) of one generated image, keyed by the row's key (a seed
     * column or its global row index): independent of partitioning, batching and task attempt.
     */
    public static long sample(long seed, long key) {
        return derive(seed, SAMPLE, key, 0);
    }

    /** Seed of the per-row training draws (t and noise) of row {@code rowId} in epoch {@code epoch}. */
    public static long row(long seed, long epoch, long rowId) {
        return derive(seed, ROW, rowId, epoch);
    }

    /** A well-mixed 64-bit seed from a run seed, a stream constant and two coordinates. */
    static long derive(long seed, long stream, long a, long b) {
        long h = mix(seed ^ stream);
        h = mix(h + GOLDEN * (a + 1));
        return mix(h + GOLDEN * (b + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
