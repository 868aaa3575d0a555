package org.diffusionlabs.recipes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.JsonFields;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.GraphReplicas;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;

import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * A training run as plain values: the model, the optimiser, the learning-rate schedule, the EMA (or none), the
 * micro-batch size, micro-batches per optimiser step, the run seed (initial weights from {@code Rng(seed)}, step
 * randomness and data order derived from it by {@link org.diffusionlabs.training.Seeds}) and how many of a step's
 * micro-batches run at once. {@link #build()} gives the same objects on the driver, on every Spark executor and in
 * the single-machine job.
 *
 * @param ema     the EMA settings, or null for none
 * @param threads micro-batches of one step run concurrently, each on its own graph replica over the shared weights
 *                and its own worker thread ({@link GraphReplicas}; faster on few cores, same losses within float
 *                rounding); 1 to 'gradAccum'. 0 is read as 1 (what specs serialised before this value existed
 *                carry). Left out of {@link #json()} when 1, so that JSON is unchanged.
 */
public record TrainingSpec(ModelSpec model, OptimizerSpec optimizer, LearningRateSchedule lr, EmaSpec ema, int batch,
                           int gradAccum, long seed, int threads)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "TrainingSpec";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** EMA decay and warm-up ({@link Ema}). */
    public record EmaSpec(double decay, boolean warmup) implements Serializable {
        private static final long serialVersionUID = 1L;

        public EmaSpec {
            Checks.require(decay >= 0 && decay < 1, "EmaSpec", "decay", decay, "must be in [0, 1)");
        }
    }

    /**
     * What {@link #build()} gives: the model, its optimiser step (graph, schedule, optimiser, and the graph replicas
     * when threads > 1) and the EMA (or null). Closing it stops the replicas' worker threads.
     */
    public record Built(ModelSpec.Model model, TrainStep step, Ema ema) implements AutoCloseable {
        @Override
        public void close() {
            if (step.replicas() != null) {
                step.replicas().close();
            }
        }
    }

    public TrainingSpec {
        Checks.notNull(model, OWNER, "model");
        Checks.notNull(optimizer, OWNER, "optimizer");
        Checks.notNull(lr, OWNER, "lr");
        Checks.positive(batch, OWNER, "batch");
        Checks.positive(gradAccum, OWNER, "gradAccum");
        threads = threads == 0 ? 1 : threads;
        Checks.require(threads >= 1 && threads <= gradAccum, OWNER, "threads", threads,
                "must be in [1, gradAccum = " + gradAccum + "]: the threads run one step's micro-batches at once");
    }

    /** One thread: the spec as before threads existed. */
    public TrainingSpec(ModelSpec model, OptimizerSpec optimizer, LearningRateSchedule lr, EmaSpec ema, int batch,
                        int gradAccum, long seed) {
        this(model, optimizer, lr, ema, batch, gradAccum, seed, 1);
    }

    /** The same run with {@code threads} micro-batches at once. */
    public TrainingSpec withThreads(int threads) {
        return new TrainingSpec(model, optimizer, lr, ema, batch, gradAccum, seed, threads);
    }

    /**
     * Fresh objects at step 0: weights initialised from {@code Rng(seed)}, a new optimiser and EMA, and with
     * threads > 1 the graph replicas and their worker threads (close the result to stop them).
     */
    public Built build() {
        ModelSpec.Model m = model.build(seed);
        TrainingGraph graph = model.graph(m);
        GraphReplicas replicas = threads > 1 ? new GraphReplicas(graph, threads) : null;
        TrainStep step = new TrainStep(graph, model.schedule(), optimizer.create(), optimizer.clipNorm(), replicas);
        Ema e = ema == null ? null : new Ema(graph.trainables(), ema.decay(), ema.warmup());
        return new Built(m, step, e);
    }

    /** The loop over {@code data} with micro-batches of {@code microBatch} images (the spec's batch, or fewer). */
    public Trainer trainer(Built built, LabeledImages data, int microBatch) {
        return new Trainer(built.step(), built.ema(), lr, data, microBatch, gradAccum);
    }

    /**
     * The spec as JSON (the {@code config.json} of checkpoints written without a job configuration, and the spec of a
     * saved Spark model), written field by field; {@link #fromJson} reads it back.
     */
    public String json() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(TrainingSpecJson.write(this));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spec of a {@link #json()} text; errors name the bad field and value. */
    public static TrainingSpec fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(OWNER + " JSON is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromJson(node, OWNER + " JSON");
    }

    /**
     * The spec of a parsed {@link #json()} object read from {@code where} (a file, named in errors). Only values are
     * read: every field by name and type, unknown fields refused, no class names or types taken from the data.
     */
    public static TrainingSpec fromJson(JsonNode node, String where) {
        try {
            return TrainingSpecJson.read(JsonFields.of(node, where));
        } catch (IllegalArgumentException e) { // a record's own check: say where the value came from
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                    : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
