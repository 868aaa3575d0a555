package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;

/**
 * Where training is in its data: epoch and position within that epoch's shuffled order. Each epoch's order is a
 * Fisher–Yates permutation drawn from {@code Rng(seed + epoch)}, so a resumed run sees exactly the batches the
 * uninterrupted run would have seen. Batches take the next {@code batch} indices, wrapping into the next epoch.
 *
 * @param seed  data-order seed
 * @param size  examples per epoch
 * @param epoch current epoch (0-based)
 * @param index next position in the current epoch's order
 */
public record DataCursor(long seed, int size, long epoch, int index) {
    public DataCursor {
        Checks.positive(size, "DataCursor", "size");
        Checks.require(epoch >= 0 && index >= 0 && index <= size, "DataCursor", "epoch/index", epoch + "/" + index,
                "must be a position within an epoch of " + size);
    }

    public static DataCursor start(long seed, int size) {
        return new DataCursor(seed, size, 0, 0);
    }

    /**
     * The cursor after {@code consumed} examples from the start: every batch takes the next indices, so where a run
     * is in its data depends only on how many it consumed (a Spark partition derives it from the step).
     */
    public static DataCursor at(long seed, int size, long consumed) {
        Checks.require(consumed >= 0, "DataCursor", "consumed", consumed, "must be >= 0");
        Checks.positive(size, "DataCursor", "size");
        return new DataCursor(seed, size, consumed / size, (int) (consumed % size));
    }

    /** The shuffled order of an epoch. */
    public int[] order(long ofEpoch) {
        return new Rng(seed + ofEpoch).permutation(size);
    }

    /** The next batch of example indices and the cursor after it. */
    public Batch next(int batch) {
        Checks.require(batch > 0 && batch <= size, "DataCursor", "batch", batch, "must be in [1, " + size + "]");
        int[] out = new int[batch];
        long e = epoch;
        int i = index;
        int[] order = order(e);
        for (int k = 0; k < batch; k++) {
            if (i == size) {
                e++;
                i = 0;
                order = order(e);
            }
            out[k] = order[i++];
        }
        return new Batch(out, new DataCursor(seed, size, e, i));
    }

    /** Indices of one batch and the cursor that follows. */
    public record Batch(int[] indices, DataCursor after) {}
}
