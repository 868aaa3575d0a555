package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.WorkerThreads;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Samples a batch as row shards, each through its own sampler (over its own model replica: SameDiff graphs are not
 * thread-safe) on its own long-lived worker thread, then stacks the rows in order. Rows are independent, and every
 * step's noise is drawn once for the whole batch, as the unsharded sampler would draw it, and handed out by rows;
 * so only the kernels' rounding at the smaller batch size differs from sampling the batch at once. Why: on few
 * cores, single-threaded streams beat one multi-threaded stream ({@link WorkerThreads}).
 */
public final class RowShardSampler implements AutoCloseable {
    private final List<Sampler> shards;
    private final WorkerThreads workers;

    /**
     * @param shards one sampler per shard, each over its own model instance (sharing weights is fine)
     */
    public RowShardSampler(List<Sampler> shards) {
        Checks.require(shards != null && !shards.isEmpty(), "RowShardSampler", "shards", shards, "needs at least one sampler");
        this.shards = List.copyOf(shards);
        this.workers = new WorkerThreads(shards.size(), WorkerThreads.defaultOmpThreads(shards.size()), "diffusion-sample-shard");
    }

    public int shards() {
        return shards.size();
    }

    /**
     * The samples for {@code xT} [b, ...] (b >= shards): shard k takes rows [k·b/n, (k+1)·b/n) of {@code xT}, of
     * every conditional input and of every step's noise drawn from {@code noise} for the whole batch.
     */
    public INDArray sample(INDArray xT, Conditioning c, StepNoise noise) {
        return sample(xT, c, noise, StepListener.NONE);
    }

    /** As {@link #sample(INDArray, Conditioning, StepNoise)}, reporting the first shard's progress to {@code listener}. */
    public INDArray sample(INDArray xT, Conditioning c, StepNoise noise, StepListener listener) {
        long b = xT.size(0);
        int n = shards.size();
        Checks.require(b >= n, "RowShardSampler", "xT", b + " rows", "needs at least one row per shard (" + n + ")");
        SharedNoise shared = new SharedNoise(noise, b, n);
        List<Future<INDArray>> parts = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            long from = k * b / n;
            long to = (k + 1) * b / n;
            INDArray x = xT.get(NDArrayIndex.interval(from, to)).dup();
            Conditioning rows = c.rows(from, to);
            Sampler sampler = shards.get(k);
            StepNoise rowNoise = shared.rows(from, to);
            StepListener progress = k == 0 ? listener : StepListener.NONE;
            parts.add(workers.submit(k, () -> sampler.sample(x, rows, rowNoise, progress)));
        }
        return Nd4j.concat(0, WorkerThreads.getAll(parts).toArray(new INDArray[0]));
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        workers.close();
    }

    /**
     * The i-th draw of every shard is rows of one full-batch draw (the i-th from the source), made by whichever shard
     * asks first and dropped once every shard has taken its rows.
     */
    private static final class SharedNoise {
        private final StepNoise source;
        private final long batch;
        private final int consumers;
        private final Map<Integer, INDArray> draws = new HashMap<>();
        private final Map<Integer, Integer> taken = new HashMap<>();
        private int drawn;

        SharedNoise(StepNoise source, long batch, int consumers) {
            this.source = Checks.notNull(source, "RowShardSampler", "noise");
            this.batch = batch;
            this.consumers = consumers;
        }

        StepNoise rows(long from, long to) {
            int[] calls = {0};
            return like -> take(calls[0]++, like, from, to);
        }

        private synchronized INDArray take(int index, INDArray like, long from, long to) {
            while (drawn <= index) {
                long[] shape = like.shape().clone();
                shape[0] = batch;
                // outside the asking shard's step workspace: other shards read it after that scope has closed
                draws.put(drawn++, Workspaces.outside(() -> source.draw(Nd4j.createUninitialized(like.dataType(), shape))));
            }
            INDArray full = draws.get(index);
            INDArray rows = full.get(NDArrayIndex.interval(from, to)).dup();
            if (taken.merge(index, 1, Integer::sum) == consumers) {
                draws.remove(index);
                taken.remove(index);
            }
            return rows;
        }
    }
}
