package org.diffusionlabs.training;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * One optimiser step of diffusion training on a batch of clean data, as the reference tutorial does it: draw
 * t ~ U[0, T) and ε ~ N(0, I) per sample (the {@code RandomDiffusionSteps} transform), x_t = q_sample(x0, ε, t),
 * draw the guidance keep masks (condition dropout) and the res-block dropout masks, then one forward + backward of the {@link TrainingGraph} and an
 * AdamW update of every trained array. All randomness comes from the {@link Rng} passed in, so a seeded run is
 * reproducible bit for bit on CPU.
 */
public final class TrainStep {
    private final TrainingGraph graph;
    private final DiscreteGaussianSchedule schedule;
    private final AdamW optimizer;
    private final double clipNorm;

    public TrainStep(TrainingGraph graph, DiscreteGaussianSchedule schedule, AdamW optimizer) {
        this(graph, schedule, optimizer, 0);
    }

    /** @param clipNorm global gradient-norm clip applied before the update; 0 disables */
    public TrainStep(TrainingGraph graph, DiscreteGaussianSchedule schedule, AdamW optimizer, double clipNorm) {
        this.graph = Checks.notNull(graph, "TrainStep", "graph");
        this.schedule = Checks.notNull(schedule, "TrainStep", "schedule");
        this.optimizer = Checks.notNull(optimizer, "TrainStep", "optimizer");
        Checks.require(clipNorm >= 0 && Double.isFinite(clipNorm), "TrainStep", "clipNorm", clipNorm, "must be finite and >= 0");
        this.clipNorm = clipNorm;
    }

    /**
     * @param x0 clean data [b, c, h, w] in [−1, 1]
     * @param c  the conditional inputs of the batch
     * @param lr learning rate of this step
     * @return the loss terms of the batch before the update ("loss", "mse", for the hybrid loss "vlb", and with
     *         clipping the gradient norm before clipping, "grad_norm")
     * @throws IllegalStateException when the loss is not finite (nothing is updated then)
     */
    public Map<String, Double> run(INDArray x0, Conditioning c, Rng rng, double lr) {
        INDArray t = schedule.sampleSteps(x0, rng);
        INDArray noise = schedule.sampleNoise(x0, rng);
        INDArray xt = schedule.qSample(x0, noise, t);
        Map<String, INDArray> keep = graph.guidance() == null ? Map.of()
                : graph.guidance().keepMask(Math.toIntExact(x0.size(0)), rng);
        Map<String, INDArray> feed = TrainingFeed.of(graph, schedule, x0, xt, t, noise, c, keep);
        feed.putAll(graph.dropout().draw(x0.size(0), x0.size(2), x0.size(3), rng.nextLong64()));
        TrainingGraph.Step step = graph.lossAndGradients(feed);
        double loss = step.losses().get(TrainingGraph.LOSS);
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("non-finite training loss " + step.losses() + " at optimiser step "
                    + (optimizer.steps() + 1) + "; parameters left unchanged");
        }
        Map<String, Double> losses = new java.util.LinkedHashMap<>(step.losses());
        if (clipNorm > 0) {
            losses.put("grad_norm", GradientClipping.clip(step.gradients(), clipNorm));
        }
        optimizer.step(graph.trainables(), step.gradients(), lr);
        return losses;
    }

    public TrainingGraph graph() {
        return graph;
    }

    public AdamW optimizer() {
        return optimizer;
    }
}
