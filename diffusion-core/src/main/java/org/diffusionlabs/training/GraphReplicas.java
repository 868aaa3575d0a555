package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.WorkerThreads;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Replicas of one {@link TrainingGraph}, each bound to its own long-lived worker thread ({@link WorkerThreads}), so
 * the micro-batches of one optimiser step run forward + backward concurrently ({@link TrainStep} with replicas).
 *
 * <p>Why replicas: a SameDiff graph is not thread-safe. Why this is cheap: every replica is built over the
 * <em>same</em> parameter arrays ({@link TrainingGraph#replica()}), which the replicas only read during forward and
 * backward, and which the optimiser updates in place on the calling thread between steps (the futures' hand-over
 * orders those writes before the next reads) — so nothing is copied or synced. Replica 0 is the graph itself. Each
 * worker keeps its replica's session and array cache (SameDiff keys them by thread).
 *
 * <p>Why it is faster on few cores: two single-threaded streams keep both cores busy where one two-threaded
 * stream spends time in OpenMP barriers and poorly scaling element-wise ops (measured: 2 cores, small config).
 */
public final class GraphReplicas implements AutoCloseable {
    private final TrainingGraph graph;
    private final List<TrainingGraph> replicas = new ArrayList<>();
    private final WorkerThreads workers;

    /** {@code threads} replicas with the cores shared out ({@link WorkerThreads#defaultOmpThreads}). */
    public GraphReplicas(TrainingGraph graph, int threads) {
        this(graph, threads, WorkerThreads.defaultOmpThreads(Checks.positive(threads, "GraphReplicas", "threads")));
    }

    /**
     * @param threads    replicas and worker threads (>= 1)
     * @param ompThreads OpenMP threads of each worker (>= 1)
     */
    public GraphReplicas(TrainingGraph graph, int threads, int ompThreads) {
        this.graph = Checks.notNull(graph, "GraphReplicas", "graph");
        Checks.positive(threads, "GraphReplicas", "threads");
        Checks.positive(ompThreads, "GraphReplicas", "ompThreads");
        replicas.add(graph);
        for (int i = 1; i < threads; i++) {
            replicas.add(graph.replica());
        }
        this.workers = new WorkerThreads(threads, ompThreads, "diffusion-train-replica");
    }

    /** The graph the replicas copy (replica 0), whose trainables the optimiser updates. */
    public TrainingGraph graph() {
        return graph;
    }

    public int threads() {
        return replicas.size();
    }

    public int ompThreads() {
        return workers.ompThreads();
    }

    /**
     * Queues the forward + backward of micro-batch {@code index} on replica {@code index % threads()}: micro-batches
     * run {@code threads()} at a time, each replica's in index order. The replica copies its gradients into
     * {@code slot} (a flat array of the gradient buffer's length) and returns the loss terms. The feed is only read,
     * and must stay valid until the future completes.
     */
    public Future<Map<String, Double>> submit(int index, Map<String, INDArray> feed, INDArray slot) {
        Checks.require(index >= 0, "GraphReplicas", "index", index, "must be >= 0");
        Checks.notNull(feed, "GraphReplicas", "feed");
        Checks.notNull(slot, "GraphReplicas", "slot");
        int worker = index % replicas.size();
        TrainingGraph replica = replicas.get(worker);
        return workers.submit(worker, () -> replica.lossAndGradientsInto(feed, slot));
    }

    /**
     * {@link TrainingGraph#releaseActivations} on every replica; only between steps (no micro-batch queued), from
     * the thread that submits them (the futures' hand-over orders it after the workers' last use).
     */
    public void releaseActivations() {
        replicas.forEach(TrainingGraph::releaseActivations);
    }

    /** Stops the worker threads after their queued work. */
    @Override
    public void close() {
        workers.close();
    }
}
