package org.diffusionlabs.recipes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;

import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * A training run as plain values: the model, the optimiser, the learning-rate schedule, the EMA (or none), the
 * micro-batch size, micro-batches per optimiser step, and the run seed (initial weights from {@code Rng(seed)}, step
 * randomness and data order derived from it by {@link org.diffusionlabs.training.Seeds}). {@link #build()} gives
 * the same objects on the driver, on every Spark executor and in the single-machine job.
 *
 * @param ema the EMA settings, or null for none
 */
public record TrainingSpec(ModelSpec model, OptimizerSpec optimizer, LearningRateSchedule lr, EmaSpec ema, int batch,
                           int gradAccum, long seed) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "TrainingSpec";

    /** EMA decay and warm-up ({@link Ema}). */
    public record EmaSpec(double decay, boolean warmup) implements Serializable {
        private static final long serialVersionUID = 1L;

        public EmaSpec {
            Checks.require(decay >= 0 && decay < 1, "EmaSpec", "decay", decay, "must be in [0, 1)");
        }
    }

    /** What {@link #build()} gives: the model, its optimiser step (graph, schedule, optimiser) and the EMA (or null). */
    public record Built(ModelSpec.Model model, TrainStep step, Ema ema) {}

    public TrainingSpec {
        Checks.notNull(model, OWNER, "model");
        Checks.notNull(optimizer, OWNER, "optimizer");
        Checks.notNull(lr, OWNER, "lr");
        Checks.positive(batch, OWNER, "batch");
        Checks.positive(gradAccum, OWNER, "gradAccum");
    }

    /** Fresh objects at step 0: weights initialised from {@code Rng(seed)}, a new optimiser and EMA. */
    public Built build() {
        ModelSpec.Model m = model.build(seed);
        TrainingGraph graph = model.graph(m);
        TrainStep step = new TrainStep(graph, model.schedule(), optimizer.create(), optimizer.clipNorm());
        Ema e = ema == null ? null : new Ema(graph.trainables(), ema.decay(), ema.warmup());
        return new Built(m, step, e);
    }

    /** The loop over {@code data} with micro-batches of {@code microBatch} images (the spec's batch, or fewer). */
    public Trainer trainer(Built built, LabeledImages data, int microBatch) {
        return new Trainer(built.step(), built.ema(), lr, data, microBatch, gradAccum);
    }

    /** The spec as JSON (the {@code config.json} of checkpoints written without a job configuration). */
    public String json() {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
