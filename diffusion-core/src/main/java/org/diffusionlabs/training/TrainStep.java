package org.diffusionlabs.training;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.WorkerThreads;
import org.diffusionlabs.nd.Workspaces;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One optimiser step of diffusion training on one or more micro-batches of clean data, as the reference tutorial
 * does it: per micro-batch, draw t ~ U[0, T) and ε ~ N(0, I) per sample (the {@code RandomDiffusionSteps}
 * transform), x_t = q_sample(x0, ε, t), the regression target (the predictor's training target: ε, x0 or v), the guidance
 * keep masks (condition dropout) and the res-block dropout masks, then one forward + backward of the
 * {@link TrainingGraph}; the gradients are averaged over the micro-batches (gradient accumulation), clipped, and
 * the optimiser ({@link AdamW}, {@link Sgd}) updates every trained array once. All randomness comes from the {@link Rng} passed in, micro-batch by
 * micro-batch, so a seeded run is reproducible bit for bit on CPU.
 */
public final class TrainStep {
    /** Clean images [b, c, h, w] in [−1, 1] and their conditional inputs: one forward + backward. */
    public record MicroBatch(INDArray x0, Conditioning c) {
        public MicroBatch {
            Checks.notNull(x0, "MicroBatch", "x0");
            Checks.notNull(c, "MicroBatch", "c");
        }
    }

    private final TrainingGraph graph;
    private final DiscreteGaussianSchedule schedule;
    private final Optimizer optimizer;
    private final double clipNorm;
    private final GraphReplicas replicas;
    private INDArray[] slots = new INDArray[0];

    public TrainStep(TrainingGraph graph, DiscreteGaussianSchedule schedule, Optimizer optimizer) {
        this(graph, schedule, optimizer, 0);
    }

    /** @param clipNorm global gradient-norm clip applied before the update; 0 disables */
    public TrainStep(TrainingGraph graph, DiscreteGaussianSchedule schedule, Optimizer optimizer, double clipNorm) {
        this(graph, schedule, optimizer, clipNorm, null);
    }

    /**
     * @param replicas replicas of {@code graph} on worker threads that run the micro-batches of a step concurrently
     *                 (the caller closes them), or null to run them one after the other on the calling thread. The
     *                 result is the same bits when the calling thread and the workers use the same OpenMP thread
     *                 count: the randomness is drawn on the calling thread in micro-batch order and the gradients
     *                 are summed in that order.
     */
    public TrainStep(TrainingGraph graph, DiscreteGaussianSchedule schedule, Optimizer optimizer, double clipNorm,
                     GraphReplicas replicas) {
        this.graph = Checks.notNull(graph, "TrainStep", "graph");
        this.schedule = Checks.notNull(schedule, "TrainStep", "schedule");
        this.optimizer = Checks.notNull(optimizer, "TrainStep", "optimizer");
        Checks.require(clipNorm >= 0 && Double.isFinite(clipNorm), "TrainStep", "clipNorm", clipNorm, "must be finite and >= 0");
        Checks.require(replicas == null || replicas.graph() == graph, "TrainStep", "replicas", replicas,
                "must be replicas of this step's graph");
        this.clipNorm = clipNorm;
        this.replicas = replicas;
    }

    /** The same step (graph, schedule, optimiser, clip) running its micro-batches on {@code replicas} (or none). */
    public TrainStep withReplicas(GraphReplicas replicas) {
        return new TrainStep(graph, schedule, optimizer, clipNorm, replicas);
    }

    /**
     * One optimiser step on a single batch.
     *
     * @param x0 clean data [b, c, h, w] in [−1, 1]
     * @param c  the conditional inputs of the batch
     * @param lr learning rate of this step
     * @return the loss terms of the batch before the update ("loss", "mse", for the hybrid loss "vlb", and with
     *         clipping the gradient norm before clipping, "grad_norm")
     * @throws NonFiniteLossException when the loss is not finite (nothing is updated then)
     */
    public Map<String, Double> run(INDArray x0, Conditioning c, Rng rng, double lr) {
        return run(List.of(new MicroBatch(x0, c)), rng, lr);
    }

    /**
     * One optimiser step accumulating the gradients of {@code micro} (in order): their mean is clipped and applied
     * once. Returns the loss terms averaged over the micro-batches (plus "grad_norm" of the mean gradient with
     * clipping).
     *
     * @throws NonFiniteLossException when a micro-batch's loss is not finite (nothing is updated then)
     */
    public Map<String, Double> run(List<MicroBatch> micro, Rng rng, double lr) {
        // One optimiser step in the TRAIN_STEP_WS workspace (a no-op scope inside the Trainer's, which also holds
        // the batch gathering and the EMA): the feed, the clipping and optimiser temporaries are reused by the next
        // step; the gradients (from the graph, outside workspaces) are consumed here; only doubles leave.
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.TRAIN_STEP_WS)) {
            TrainingGraph.Step step = accumulate(micro, rng);
            Map<String, Double> losses = new LinkedHashMap<>(step.losses());
            if (clipNorm > 0) {
                losses.put("grad_norm", GradientClipping.clip(step.gradients(), clipNorm));
            }
            optimizer.step(graph.trainables(), step.gradients(), lr);
            return losses;
        }
    }

    /**
     * The loss terms and gradients averaged over {@code micro}, each micro-batch's randomness drawn from {@code rng}
     * in order; updates nothing.
     *
     * @throws NonFiniteLossException when a micro-batch's loss is not finite
     */
    public TrainingGraph.Step accumulate(List<MicroBatch> micro, Rng rng) {
        Checks.require(micro != null && !micro.isEmpty(), "TrainStep", "micro", micro, "needs at least one micro-batch");
        if (micro.size() == 1 && replicas == null) {
            return checkFinite(graph.lossAndGradients(feed(micro.get(0).x0(), micro.get(0).c(), rng)), 0, 1);
        }
        INDArray[] slot = slots(micro.size());
        List<Map<String, Double>> losses = new ArrayList<>(micro.size());
        if (replicas == null) {
            for (int i = 0; i < micro.size(); i++) {
                losses.add(graph.lossAndGradientsInto(feed(micro.get(i).x0(), micro.get(i).c(), rng), slot[i]));
            }
        } else {
            List<Future<Map<String, Double>>> pending = new ArrayList<>(micro.size());
            for (int i = 0; i < micro.size(); i++) {
                pending.add(replicas.submit(i, feed(micro.get(i).x0(), micro.get(i).c(), rng), slot[i]));
            }
            losses.addAll(WorkerThreads.getAll(pending));
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
            checkFinite(new TrainingGraph.Step(losses.get(i), Map.of()), i, losses.size());
            losses.get(i).forEach((k, v) -> mean.merge(k, v, Double::sum));
        }
        mean.replaceAll((k, v) -> v / losses.size());
        // the mean gradient, summed in micro-batch order whatever thread computed each (same bits for any threads)
        for (int i = 1; i < losses.size(); i++) {
            slot[0].addi(slot[i]);
        }
        if (losses.size() > 1) {
            slot[0].divi(losses.size());
        }
        return new TrainingGraph.Step(mean, graph.gradientViews(slot[0]));
    }

    /** One flat gradient array per micro-batch, allocated once (outside workspaces) and reused every step. */
    private INDArray[] slots(int count) {
        if (slots.length < count) {
            INDArray[] grown = java.util.Arrays.copyOf(slots, count);
            long n = graph.gradientBuffer().length();
            for (int i = slots.length; i < count; i++) {
                grown[i] = Workspaces.outside(() -> org.nd4j.linalg.factory.Nd4j.create(
                        org.nd4j.linalg.api.buffer.DataType.FLOAT, n));
            }
            slots = grown;
        }
        return slots;
    }

    private TrainingGraph.Step checkFinite(TrainingGraph.Step step, int index, int count) {
        double loss = step.losses().get(TrainingGraph.LOSS);
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException("non-finite training loss " + step.losses() + " at optimiser step "
                    + (optimizer.steps() + 1) + (count > 1 ? ", micro-batch " + (index + 1) + " of " + count : "")
                    + "; parameters left unchanged");
        }
        return step;
    }

    /**
     * The graph's placeholder values for one micro-batch, drawing its randomness from {@code rng} in this order:
     * steps t, noise ε, guidance keep masks, res-block dropout seed.
     */
    public Map<String, INDArray> feed(INDArray x0, Conditioning c, Rng rng) {
        INDArray t = schedule.sampleSteps(x0, rng);
        INDArray noise = schedule.sampleNoise(x0, rng);
        INDArray xt = schedule.qSample(x0, noise, t);
        INDArray target = graph.predictor(schedule).trainingTarget(x0, noise, t);
        Map<String, INDArray> keep = graph.guidance() == null ? Map.of()
                : graph.guidance().keepMask(Math.toIntExact(x0.size(0)), rng);
        Map<String, INDArray> feed = TrainingFeed.of(graph, schedule, x0, xt, t, target, c, keep);
        feed.putAll(graph.dropout().draw(x0.size(0), x0.size(2), x0.size(3), rng.nextLong64()));
        return feed;
    }

    public TrainingGraph graph() {
        return graph;
    }

    /** The replicas running the micro-batches concurrently, or null (sequential). */
    public GraphReplicas replicas() {
        return replicas;
    }

    public Optimizer optimizer() {
        return optimizer;
    }
}
