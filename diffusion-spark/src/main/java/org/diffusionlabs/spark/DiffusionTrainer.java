package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
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
 * The Spark ML {@link Estimator} of data-parallel diffusion training: {@link #fit} a DataFrame of (image, label) rows
 * — or (image, condition vector) rows for a spec conditioned on vectors ({@code ModelSpec.classes() == 0},
 * {@code embeddingCol}) — and get an immutable {@link DiffusionModel} (with this trainer's uid, parent and {@link SamplingParams}). Params:
 * {@code spec} (the {@link TrainingSpec}; required), {@code imageCol}, {@code labelCol} or {@code embeddingCol},
 * {@code imageSize} and {@code maxSteps} (required), the round settings of
 * {@link SparkTrainingConfig} ({@code averagingFrequency}, {@code aggregationDepth}, {@code averageUpdaterState},
 * {@code checkpointEveryRounds}, {@code numPartitions}), the checkpoints ({@code checkpointLocation}, unset for none;
 * {@code keepLast}; {@code resume}) and the sampling params passed on to the model. Checkpoints use the
 * single-machine trainer's format ({@link TrainingCheckpoint}) every {@code checkpointEveryRounds} rounds and at the
 * end; with {@code resume}, training continues from the newest valid one. Every param is a value, so the trainer is
 * {@code MLWritable}/{@code MLReadable} (params JSON, the spec as its own JSON) and goes into a saved
 * {@code Pipeline}. What is not a value (the {@link SparkTrainer.Listener}, the checkpoint {@code config.json} text,
 * the recorded versions, a {@link CheckpointStore} object) is a plain setter, kept by {@link #copy} and not saved.
 *
 * <pre>{@code
 * DiffusionModel m = new DiffusionTrainer(spec).setImageSize(32).setMaxSteps(3000)
 *         .setAveragingFrequency(5).setCheckpointEveryRounds(50)
 *         .setCheckpointLocation("dbfs:/runs/mnist/checkpoints").setKeepLast(3).setResume(true)
 *         .fit(df);   // df: image array<float> (c·h·w in [-1, 1]), label int
 * }</pre>
 */
public final class DiffusionTrainer extends Estimator<DiffusionModel>
        implements SamplingParams<DiffusionTrainer>, MLWritable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "DiffusionTrainer";
    private final String uid;
    private final TrainingSpecParam spec;
    private final Defs sampling;
    private final Param<String> imageCol;
    private final IntParam imageSize;
    private final LongParam maxSteps;
    private final IntParam averagingFrequency;
    private final IntParam aggregationDepth;
    private final BooleanParam averageUpdaterState;
    private final IntParam checkpointEveryRounds;
    private final IntParam numPartitions;
    private final Param<String> checkpointLocation;
    private final IntParam keepLast;
    private final BooleanParam resume;
    private transient CheckpointStore checkpoints;
    private String configJson;
    private Map<String, String> versions = Map.of();
    private transient SparkTrainer.Listener listener = new SparkTrainer.Listener() {
        @Override
        public void onStep(long step, Map<String, Double> losses, double lr, double seconds) {
        }

        @Override
        public void onCheckpoint(long step) {
        }
    };

    public DiffusionTrainer(TrainingSpec spec) {
        this(Identifiable.randomUID(OWNER), spec);
    }

    public DiffusionTrainer(String uid, TrainingSpec spec) {
        this(uid);
        setSpec(Checks.notNull(spec, OWNER, "spec"));
    }

    /**
     * A trainer without a spec yet ({@link #setSpec}): Spark ML's constructor, by which {@link #read} and
     * {@code Pipeline.load} recreate a saved trainer. The guidance default is the spec's guidance scale.
     */
    public DiffusionTrainer(String uid) {
        this.uid = Checks.notNull(uid, OWNER, "uid");
        spec = new TrainingSpecParam(this, OWNER, "spec", "the training run: model, optimiser, learning rate, EMA, "
                + "batch, gradient accumulation, seed (required; saved as its JSON)");
        sampling = new Defs(this, OWNER, null);
        imageCol = new Param<>(this, "imageCol", "training images: array<float|double> or binary float32 LE, c*h*w in "
                + "[-1, 1]", ParamChecks.column(OWNER, "imageCol"));
        imageSize = new IntParam(this, "imageSize", "images are channels x size x size (required)",
                ParamChecks.number(OWNER, "imageSize", n -> n > 0, "must be > 0"));
        maxSteps = new LongParam(this, "maxSteps", "train until this many optimiser steps, counted from step 0 also "
                + "when resuming (required)", ParamChecks.number(OWNER, "maxSteps", n -> n > 0, "must be > 0"));
        averagingFrequency = new IntParam(this, "averagingFrequency", "local optimiser steps per partition between "
                + "two averagings (k)", ParamChecks.number(OWNER, "averagingFrequency", n -> n > 0, "must be > 0"));
        aggregationDepth = new IntParam(this, "aggregationDepth", "depth of treeAggregate",
                ParamChecks.number(OWNER, "aggregationDepth", n -> n >= 1, "must be >= 1"));
        averageUpdaterState = new BooleanParam(this, "averageUpdaterState", "ship and average the optimiser state "
                + "(AdamW moments); false starts every round with a fresh optimiser");
        checkpointEveryRounds = new IntParam(this, "checkpointEveryRounds", "checkpoint after every N-th round "
                + "(0: only at the end)", ParamChecks.number(OWNER, "checkpointEveryRounds", n -> n >= 0, "must be >= 0"));
        numPartitions = new IntParam(this, "numPartitions", "repartition the data into this many partitions first "
                + "(0 keeps its partitioning)", ParamChecks.number(OWNER, "numPartitions", n -> n >= 0,
                "must be >= 0 (0 keeps the data's)"));
        checkpointLocation = new Param<>(this, "checkpointLocation", "directory of the checkpoints (a path or any "
                + "Hadoop URI); unset: no checkpoints", ParamChecks.valid(OWNER, "checkpointLocation", l -> !l.isBlank(),
                "must be a path or Hadoop URI"));
        keepLast = new IntParam(this, "keepLast", "how many verified checkpoints to keep",
                ParamChecks.number(OWNER, "keepLast", n -> n >= 1, "must be >= 1"));
        resume = new BooleanParam(this, "resume", "continue from the newest valid checkpoint in checkpointLocation");
        setDefault(imageCol, "image");
        setDefault(keepLast, 3);
        setDefault(resume, false);
        setConfig(SparkTrainingConfig.defaults(), true);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Defs samplingParams() {
        return sampling;
    }

    /** The training run; required (an error names the param when it is not set). */
    @Override
    public TrainingSpec spec() {
        Checks.require(isDefined(spec), OWNER, spec.name(), null, "must be set (setSpec)");
        return getOrDefault(spec);
    }

    /** The param holding the {@link TrainingSpec} (named {@code spec}; {@link #spec()} returns its value). */
    public Param<TrainingSpec> specParam() {
        return spec;
    }

    public Param<String> checkpointLocation() {
        return checkpointLocation;
    }

    public IntParam keepLast() {
        return keepLast;
    }

    public BooleanParam resume() {
        return resume;
    }

    public Param<String> imageCol() {
        return imageCol;
    }

    public IntParam imageSize() {
        return imageSize;
    }

    public LongParam maxSteps() {
        return maxSteps;
    }

    public IntParam averagingFrequency() {
        return averagingFrequency;
    }

    public IntParam aggregationDepth() {
        return aggregationDepth;
    }

    public BooleanParam averageUpdaterState() {
        return averageUpdaterState;
    }

    public IntParam checkpointEveryRounds() {
        return checkpointEveryRounds;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    /** The checkpoint directory, or null (no checkpoints). */
    public String getCheckpointLocation() {
        return isDefined(checkpointLocation) ? getOrDefault(checkpointLocation) : null;
    }

    public int getKeepLast() {
        return (Integer) getOrDefault(keepLast);
    }

    public boolean getResume() {
        return (Boolean) getOrDefault(resume);
    }

    public String getImageCol() {
        return getOrDefault(imageCol);
    }

    public int getImageSize() {
        return (Integer) getOrDefault(imageSize);
    }

    public long getMaxSteps() {
        return (Long) getOrDefault(maxSteps);
    }

    /** The round settings as one record. */
    public SparkTrainingConfig getConfig() {
        return new SparkTrainingConfig((Integer) getOrDefault(averagingFrequency), (Integer) getOrDefault(aggregationDepth),
                (Boolean) getOrDefault(averageUpdaterState), (Integer) getOrDefault(checkpointEveryRounds),
                (Integer) getOrDefault(numPartitions));
    }

    /** The training run (required). */
    public DiffusionTrainer setSpec(TrainingSpec s) {
        set(spec, s);
        return this;
    }

    /**
     * Where checkpoints go: a directory (a path or any Hadoop URI: HDFS, S3A, DBFS), or null for none (default).
     */
    public DiffusionTrainer setCheckpointLocation(String location) {
        if (location == null) {
            clear(checkpointLocation);
        } else {
            set(checkpointLocation, location);
        }
        return this;
    }

    /** How many verified checkpoints to keep (default 3; the one just saved is always kept). */
    public DiffusionTrainer setKeepLast(int n) {
        set(keepLast, n);
        return this;
    }

    /**
     * Continue from the newest valid checkpoint in the checkpoint location (default false); each newer one that does
     * not verify, or lacks a {@link TrainingCheckpoint#REQUIRED} file, is skipped with a WARN. No checkpoint there:
     * training starts at step 0.
     */
    public DiffusionTrainer setResume(boolean r) {
        set(resume, r);
        return this;
    }

    /** Training images column (default {@code image}). */
    public DiffusionTrainer setImageCol(String c) {
        set(imageCol, c);
        return this;
    }

    /** Images are channels × size × size (channels from the spec's U-Net). Required. */
    public DiffusionTrainer setImageSize(int size) {
        set(imageSize, size);
        return this;
    }

    /** Train until this many optimiser steps (counted from step 0, also when resuming). Required. */
    public DiffusionTrainer setMaxSteps(long steps) {
        set(maxSteps, steps);
        return this;
    }

    public DiffusionTrainer setAveragingFrequency(int k) {
        set(averagingFrequency, k);
        return this;
    }

    public DiffusionTrainer setAggregationDepth(int depth) {
        set(aggregationDepth, depth);
        return this;
    }

    public DiffusionTrainer setAverageUpdaterState(boolean average) {
        set(averageUpdaterState, average);
        return this;
    }

    public DiffusionTrainer setCheckpointEveryRounds(int n) {
        set(checkpointEveryRounds, n);
        return this;
    }

    public DiffusionTrainer setNumPartitions(int n) {
        set(numPartitions, n);
        return this;
    }

    /** Sets the five round params from one record. */
    public DiffusionTrainer setConfig(SparkTrainingConfig c) {
        return setConfig(Checks.notNull(c, OWNER, "config"), false);
    }

    private DiffusionTrainer setConfig(SparkTrainingConfig c, boolean asDefault) {
        for (Object[] pv : new Object[][] {{averagingFrequency, c.averagingFrequency()},
                {aggregationDepth, c.aggregationDepth()}, {averageUpdaterState, c.averageUpdaterState()},
                {checkpointEveryRounds, c.checkpointEveryRounds()}, {numPartitions, c.numPartitions()}}) {
            @SuppressWarnings("unchecked")
            Param<Object> p = (Param<Object>) pv[0];
            if (asDefault) {
                setDefault(p, pv[1]);
            } else {
                set(p, pv[1]);
            }
        }
        return this;
    }

    /**
     * A checkpoint store object (over any {@code Storage}) instead of {@link #setCheckpointLocation}, and
     * {@link #setResume}. The store is not a param: it wins over checkpointLocation, and {@link #write} refuses a
     * trainer holding one (set the location, keepLast and resume params to save the trainer).
     */
    public DiffusionTrainer setCheckpoints(CheckpointStore store, boolean resumeLatest) {
        this.checkpoints = store == null ? null : store.requiring(TrainingCheckpoint.REQUIRED);
        return setResume(resumeLatest);
    }

    /** The configuration document saved as config.json in checkpoints (default: the spec as JSON). */
    public DiffusionTrainer setConfigJson(String json) {
        this.configJson = json;
        return this;
    }

    /** Versions recorded in checkpoint metadata. */
    public DiffusionTrainer setVersions(Map<String, String> v) {
        this.versions = Map.copyOf(v);
        return this;
    }

    /** Progress callbacks (per step: averaged losses and learning rate, as the single-machine trainer reports). */
    public DiffusionTrainer setListener(SparkTrainer.Listener l) {
        this.listener = Checks.notNull(l, OWNER, "listener");
        return this;
    }

    /** A copy with the same uid, params (the spec among them), store and listener, {@code extra} over them. */
    @Override
    public DiffusionTrainer copy(ParamMap extra) {
        DiffusionTrainer c = new DiffusionTrainer(uid);
        c.checkpoints = checkpoints;
        c.configJson = configJson;
        c.versions = versions;
        c.listener = listener;
        return copyValues(c, extra);
    }

    /**
     * Saves the params (the spec as its JSON) in Spark ML's layout: {@code trainer.write().save(path)}, and inside a
     * saved {@code Pipeline}. A trainer holding a {@link CheckpointStore} object ({@link #setCheckpoints}) is refused:
     * the object cannot be saved, the checkpointLocation param can.
     */
    @Override
    public MLWriter write() {
        if (checkpoints != null) {
            throw new IllegalStateException(OWNER + " " + uid + ": a CheckpointStore given to setCheckpoints is an "
                    + "object, not a param, and cannot be saved; use setCheckpointLocation(location), setKeepLast(n) "
                    + "and setResume(b) instead");
        }
        return new StageWriter(this);
    }

    public static MLReader<DiffusionTrainer> read() {
        return new StageReader<>(DiffusionTrainer.class);
    }

    /** Reads a trainer saved at {@code path} by {@link #write}. */
    public static DiffusionTrainer load(String path) {
        return read().load(path);
    }

    /**
     * The schema of the fitted model's output (see {@link SamplingParams#samplingSchema}), after checking the image
     * and condition columns and that the spec, imageSize and maxSteps are set.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        for (Param<?> p : List.of(spec, imageSize, maxSteps)) {
            Checks.require(isDefined(p), OWNER, p.name(), null, "must be set (set" + Character.toUpperCase(
                    p.name().charAt(0)) + p.name().substring(1) + ")");
        }
        ImageRows.check(schema, getImageCol(), conditionColumn());
        return samplingSchema(schema);
    }

    /** Trains on {@code dataset} (image and condition columns, see {@link ImageRows}) and returns the trained model. */
    @Override
    public DiffusionModel fit(Dataset<?> dataset) {
        Dataset<Row> data = dataset.toDF();
        transformSchema(data.schema());
        JavaRDD<ImageRow> rows = ImageRows.of(data, getImageCol(), conditionColumn());
        SparkTrainingConfig config = getConfig();
        if (config.numPartitions() > 0) {
            rows = rows.repartition(config.numPartitions());
        }
        rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            DiffusionModel model = train(rows, config, spec(), store());
            return copyValues(model, new ParamMap()).setParent(this);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: " + e.getMessage(), e);
        } finally {
            rows.unpersist(false);
        }
    }

    /** The store of {@link #setCheckpoints}, else one over checkpointLocation keeping keepLast, else null (none). */
    private CheckpointStore store() throws IOException {
        if (checkpoints != null) {
            return checkpoints;
        }
        String location = getCheckpointLocation();
        return location == null ? null : TrainingCheckpoint.store(new HadoopStorage(location), getKeepLast());
    }

    private DiffusionModel train(JavaRDD<ImageRow> rows, SparkTrainingConfig config, TrainingSpec spec,
                                 CheckpointStore checkpoints) throws IOException {
        List<Long> sizes = rows.mapPartitions(it -> {
            long n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        TrainingSpec.Built model = spec.withThreads(1).build(); // the driver only holds state; tasks train
        long step = 0;
        if (checkpoints != null && getResume()) {
            Optional<Checkpoint> latest = checkpoints.latest(m -> { }); // the store logs each skipped one
            if (latest.isPresent()) {
                step = TrainingCheckpoint.restore(latest.get(), model.step(), model.ema()).step;
            }
        }
        String json = configJson != null ? configJson : spec.json();
        int first = sizes.isEmpty() ? 1 : (int) Math.max(1, sizes.get(0));
        int[] rejected = {0};
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
                    save(checkpoints, spec, model, s, first, json);
                }
                listener.onCheckpoint(s);
            }
        };
        listener.onStart(model, step);
        long end = new SparkTrainer(spec, config, getImageSize()).run(rows, model, step, getMaxSteps(), wrapped);
        if (checkpoints != null && !checkpoints.isValid(end)) { // a partial or corrupt directory of it is redone
            save(checkpoints, spec, model, end, first, json);
            listener.onCheckpoint(end);
        }
        return new DiffusionModel(uid, spec, getImageSize(), WeightSnapshot.capture(model, false), end, rejected[0]);
    }

    /**
     * Writes the driver's state as a single-machine checkpoint: the data cursor recorded is partition 0's (what a
     * single machine resuming it would continue with when the data are that one partition).
     */
    private void save(CheckpointStore checkpoints, TrainingSpec spec, TrainingSpec.Built model, long step,
                      int partition0Size, String json) {
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
