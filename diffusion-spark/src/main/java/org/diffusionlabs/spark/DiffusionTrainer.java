package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Seeds;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Estimator of data-parallel diffusion training: {@link #fit} a DataFrame of (image, label) rows and get an
 * immutable {@link DiffusionModel}. Spark ML's conventions without its Scala trait machinery: typed setters that
 * validate ({@code setX} required, {@code optX} optional), {@link #copy()}, and checkpoints in the single-machine
 * trainer's format ({@link TrainingCheckpoint} through a {@link CheckpointStore}, whose {@code Storage} may be Hadoop's
 * FileSystem) written every {@code checkpointEveryRounds} rounds and at the end, with resume from the newest.
 *
 * <pre>{@code
 * DiffusionModel m = new DiffusionTrainer(spec).setImageSize(32).setMaxSteps(3000)
 *         .optConfig(SparkTrainingConfig.defaults().withAveragingFrequency(5).withCheckpointEveryRounds(50))
 *         .optCheckpoints(new CheckpointStore(storage, 3), true)
 *         .fit(df);   // df: image array<float> (c·h·w in [-1, 1]), label int
 * }</pre>
 */
public final class DiffusionTrainer {
    private final TrainingSpec spec;
    private SparkTrainingConfig config = SparkTrainingConfig.defaults();
    private String imageCol = "image";
    private String labelCol = "label";
    private int imageSize;
    private long maxSteps;
    private CheckpointStore checkpoints;
    private boolean resume;
    private String configJson;
    private Map<String, String> versions = Map.of();
    private SparkTrainer.Listener listener = new SparkTrainer.Listener() {
        @Override
        public void onStep(long step, Map<String, Double> losses, double lr, double seconds) {
        }

        @Override
        public void onCheckpoint(long step) {
        }
    };

    public DiffusionTrainer(TrainingSpec spec) {
        this.spec = Checks.notNull(spec, "DiffusionTrainer", "spec");
    }

    /** Images are channels × size × size (channels from the spec's U-Net). Required. */
    public DiffusionTrainer setImageSize(int size) {
        this.imageSize = Checks.positive(size, "DiffusionTrainer", "imageSize");
        return this;
    }

    /** Train until this many optimiser steps (counted from step 0, also when resuming). Required. */
    public DiffusionTrainer setMaxSteps(long steps) {
        Checks.require(steps > 0, "DiffusionTrainer", "maxSteps", steps, "must be > 0");
        this.maxSteps = steps;
        return this;
    }

    public DiffusionTrainer optConfig(SparkTrainingConfig c) {
        this.config = Checks.notNull(c, "DiffusionTrainer", "config");
        return this;
    }

    public DiffusionTrainer optImageCol(String column) {
        this.imageCol = Checks.notNull(column, "DiffusionTrainer", "imageCol");
        return this;
    }

    public DiffusionTrainer optLabelCol(String column) {
        this.labelCol = Checks.notNull(column, "DiffusionTrainer", "labelCol");
        return this;
    }

    /** Where checkpoints go; with {@code resumeLatest}, training continues from the newest valid one there. */
    public DiffusionTrainer optCheckpoints(CheckpointStore store, boolean resumeLatest) {
        this.checkpoints = store;
        this.resume = resumeLatest;
        return this;
    }

    /** The configuration document saved as config.json in checkpoints (default: the spec as JSON). */
    public DiffusionTrainer optConfigJson(String json) {
        this.configJson = json;
        return this;
    }

    /** Versions recorded in checkpoint metadata. */
    public DiffusionTrainer optVersions(Map<String, String> v) {
        this.versions = Map.copyOf(v);
        return this;
    }

    /** Progress callbacks (per step: averaged losses and learning rate, as the single-machine trainer reports). */
    public DiffusionTrainer optListener(SparkTrainer.Listener l) {
        this.listener = Checks.notNull(l, "DiffusionTrainer", "listener");
        return this;
    }

    /** A copy with the same settings. */
    public DiffusionTrainer copy() {
        DiffusionTrainer c = new DiffusionTrainer(spec);
        c.config = config;
        c.imageCol = imageCol;
        c.labelCol = labelCol;
        c.imageSize = imageSize;
        c.maxSteps = maxSteps;
        c.checkpoints = checkpoints;
        c.resume = resume;
        c.configJson = configJson;
        c.versions = versions;
        c.listener = listener;
        return c;
    }

    /** Trains on {@code data} (image and label columns, see {@link ImageRows}) and returns the trained model. */
    public DiffusionModel fit(Dataset<Row> data) {
        Checks.require(imageSize > 0, "DiffusionTrainer", "imageSize", imageSize, "must be set (setImageSize)");
        Checks.require(maxSteps > 0, "DiffusionTrainer", "maxSteps", maxSteps, "must be set (setMaxSteps)");
        JavaRDD<ImageRow> rows = ImageRows.of(data, imageCol, labelCol);
        if (config.numPartitions() > 0) {
            rows = rows.repartition(config.numPartitions());
        }
        rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return train(rows);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: " + e.getMessage(), e);
        } finally {
            rows.unpersist(false);
        }
    }

    private DiffusionModel train(JavaRDD<ImageRow> rows) throws IOException {
        List<Long> sizes = rows.mapPartitions(it -> {
            long n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        TrainingSpec.Built model = spec.build();
        long step = 0;
        if (checkpoints != null && resume) {
            Optional<Checkpoint> latest = checkpoints.latest(m -> { });
            if (latest.isPresent()) {
                step = TrainingCheckpoint.restore(latest.get(), model.step(), model.ema()).step;
            }
        }
        String json = configJson != null ? configJson : spec.json();
        int first = sizes.isEmpty() ? 1 : (int) Math.max(1, sizes.get(0));
        int[] rejected = {0};
        long[] lastSaved = {-1};
        SparkTrainer.Listener wrapped = new SparkTrainer.Listener() {
            @Override
            public void onStep(long s, Map<String, Double> losses, double lr, double seconds) {
                listener.onStep(s, losses, lr, seconds);
            }

            @Override
            public void onRound(SparkTrainer.Round round) {
                rejected[0] += round.rejected();
                listener.onRound(round);
            }

            @Override
            public boolean stopRequested() {
                return listener.stopRequested();
            }

            @Override
            public void onCheckpoint(long s) {
                if (checkpoints != null) {
                    save(model, s, first, json);
                    lastSaved[0] = s;
                }
                listener.onCheckpoint(s);
            }
        };
        listener.onStart(model, step);
        long end = new SparkTrainer(spec, config, imageSize).run(rows, model, step, maxSteps, wrapped);
        if (checkpoints != null && lastSaved[0] != end && (checkpoints.steps().isEmpty()
                || checkpoints.steps().get(checkpoints.steps().size() - 1) != end)) {
            save(model, end, first, json);
            listener.onCheckpoint(end);
        }
        return new DiffusionModel(spec, imageSize, WeightSnapshot.capture(model, false), end, rejected[0]);
    }

    /**
     * Writes the driver's state as a single-machine checkpoint: the data cursor recorded is partition 0's (what a
     * single machine resuming it would continue with when the data are that one partition).
     */
    private void save(TrainingSpec.Built model, long step, int partition0Size, String json) {
        int batch = Math.min(spec.batch(), partition0Size);
        DataCursor cursor = DataCursor.at(Seeds.data(spec.seed(), 0), partition0Size, step * batch * spec.gradAccum());
        Trainer.State state = new Trainer.State(step, cursor, spec.seed(), 0);
        try {
            checkpoints.save(TrainingCheckpoint.capture(model.step(), model.ema(), state, json, versions));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at step " + step + ": " + e.getMessage(), e);
        }
    }
}
