package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained diffusion model, the Spark ML {@link Model} that {@link DiffusionTrainer#fit} returns (with the trainer's
 * uid and sampling params), and the Transformer of batch sampling: {@link #transform} maps a DataFrame of conditions
 * (an integer {@code label} column or, for a model conditioned on vectors, an {@code embedding} column of condition
 * vectors; optionally a {@code key} column) to the same rows plus a PNG column
 * ({@code image_png}) and, optionally, the raw image ({@code array<float>}, c·h·w in [−1, 1]). Its params are the
 * {@link SamplingParams}; {@link #transformSchema} names the parameter and column of a bad schema before any Spark
 * job runs.
 * <p>
 * <b>Reproducibility.</b> Each row's noise (x_T and every sampler step's noise) comes from its own
 * {@code Rng(Seeds.sample(seed, key))}, the key being the row's {@code keyCol} value or, without one, its global
 * index in the DataFrame's order (zipWithIndex). Every forward pass has exactly {@code batchSize} rows (a short last
 * batch is padded), so an image is bit-identical whatever the partitioning, its position in its batch, or the task
 * attempt. The batch size itself is part of the reproducibility key, like the seed: other batch sizes make the
 * kernels round differently (differences around 1e-5, which can flip a PNG level). Each partition rebuilds the model
 * once from the spec and the broadcast weights (a {@link WeightSnapshot}: plain {@code float[]}, never an INDArray)
 * and reuses its inference graph for every batch ({@link SampleBatches}).
 * <p>
 * <b>Persistence</b> ({@link #write}, {@link #read}, {@link #load}; also inside a saved {@code PipelineModel}): Spark
 * ML's metadata (params, image size, step, the spec) and {@code checkpoints/step-N/} in the single-machine trainer's
 * checkpoint format, see {@link DiffusionModelWriter}.
 */
public final class DiffusionModel extends Model<DiffusionModel>
        implements SamplingParams<DiffusionModel>, MLWritable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "DiffusionModel";

    private final String uid;
    private final TrainingSpec spec;
    private final int imageSize;
    private final WeightSnapshot state;
    private final long step;
    private final int rejectedContributions;
    private final Defs params;

    DiffusionModel(String uid, TrainingSpec spec, int imageSize, WeightSnapshot state, long step,
                   int rejectedContributions) {
        this.uid = Checks.notNull(uid, OWNER, "uid");
        this.spec = Checks.notNull(spec, OWNER, "spec");
        this.imageSize = Checks.positive(imageSize, OWNER, "imageSize");
        this.state = Checks.notNull(state, OWNER, "state");
        this.step = step;
        this.rejectedContributions = rejectedContributions;
        this.params = new Defs(this, OWNER, spec.model().guidanceScale());
    }

    DiffusionModel(TrainingSpec spec, int imageSize, WeightSnapshot state, long step, int rejectedContributions) {
        this(Identifiable.randomUID(OWNER), spec, imageSize, state, step, rejectedContributions);
    }

    /**
     * The model of a single-machine (or Spark) training checkpoint: {@code spec} must be the run's (the same
     * arrays); images are channels × {@code imageSize} × {@code imageSize}.
     */
    public static DiffusionModel fromCheckpoint(TrainingSpec spec, int imageSize, Checkpoint cp) {
        TrainingSpec.Built b = spec.withThreads(1).build(); // holds state only: no worker threads
        long s = TrainingCheckpoint.restore(cp, b.step(), b.ema()).step;
        return new DiffusionModel(spec, imageSize, WeightSnapshot.capture(b, false), s, 0);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Defs samplingParams() {
        return params;
    }

    public TrainingSpec spec() {
        return spec;
    }

    public int imageSize() {
        return imageSize;
    }

    /** Optimiser steps trained. */
    public long step() {
        return step;
    }

    /** Partition contributions rejected as non-finite over the whole fit. */
    public int rejectedContributions() {
        return rejectedContributions;
    }

    /** The weights, EMA included, as trained. */
    WeightSnapshot state() {
        return state;
    }

    /** The trained arrays by name (U-Net state-dict names, label encoder, learned null embeddings); fresh copies. */
    public Map<String, INDArray> weights() {
        return state.tensors(WeightSnapshot.PARAM);
    }

    /** The EMA weights (empty without EMA); fresh copies. */
    public Map<String, INDArray> emaWeights() {
        return state.tensors(WeightSnapshot.EMA);
    }

    /** The model rebuilt from the spec with these weights and EMA (a fresh optimiser, one thread). */
    public TrainingSpec.Built build() {
        TrainingSpec.Built b = spec.withThreads(1).build();
        state.restoreInto(b, false);
        return b;
    }

    /** A copy with the same uid, weights, parent and params, {@code extra} over them. */
    @Override
    public DiffusionModel copy(ParamMap extra) {
        DiffusionModel c = copyValues(new DiffusionModel(uid, spec, imageSize, state, step, rejectedContributions), extra);
        return c.setParent(parent());
    }

    // ----------------------------------------------------------------------------------------------- transform

    /** See {@link SamplingParams#samplingSchema}. */
    @Override
    public StructType transformSchema(StructType schema) {
        return samplingSchema(schema);
    }

    /** One generated image per input row, appended as {@code outputCol} (PNG) and optionally {@code rawCol}. */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> data = dataset.toDF();
        StructType out = transformSchema(data.schema());
        ConditionColumn cond = conditionColumn();
        String keyName = getKeyCol();
        int condIdx = data.schema().fieldIndex(cond.name());
        int keyIdx = keyName == null ? -1 : data.schema().fieldIndex(keyName);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<WeightSnapshot> bc = jsc.broadcast(samplingWeights());
        ModelSpec model = spec.model();
        long buildSeed = spec.seed();
        SamplingSettings settings = new SamplingSettings(getSampler(), getSteps(), getEta(), getGuidance(), getSeed(),
                getBatchSize(), imageSize);
        boolean raw = getRawCol() != null;
        JavaRDD<Row> rows = data.toJavaRDD();
        JavaRDD<Tuple2<Row, Long>> keyed = keyIdx < 0 ? rows.zipWithIndex().rdd().toJavaRDD()
                : rows.map(r -> new Tuple2<>(r, key(r, keyIdx, keyName)));
        JavaRDD<Row> sampled = keyed.mapPartitions(it -> new SampleBatches(it, bc, model, buildSeed, settings, cond,
                condIdx, raw));
        return data.sparkSession().createDataFrame(sampled, out);
    }

    private static long key(Row r, int idx, String name) {
        if (r.isNullAt(idx)) {
            throw new IllegalArgumentException(OWNER + ": row " + r + " has a null " + name + " (keyCol)");
        }
        return ((Number) r.get(idx)).longValue();
    }

    /** The weights sampled with, by state-dict name: the trained arrays, the EMA ones over them (sampleWeights = ema). */
    WeightSnapshot samplingWeights() {
        Map<String, INDArray> all = new LinkedHashMap<>(state.tensors(WeightSnapshot.PARAM));
        if (getSampleWeights().equals("ema")) {
            all.putAll(state.tensors(WeightSnapshot.EMA));
        }
        return WeightSnapshot.of(all, 0, 0);
    }

    // --------------------------------------------------------------------------------------------- persistence

    /** Saves params, spec and weights: {@code model.write().overwrite().save(path)} (any Hadoop location). */
    @Override
    public MLWriter write() {
        return new DiffusionModelWriter(this);
    }

    public static MLReader<DiffusionModel> read() {
        return new DiffusionModelReader();
    }

    /** Reads a model saved at {@code path} (by {@link #write}, or the earlier {@code metadata.json} format). */
    public static DiffusionModel load(String path) {
        return read().load(path);
    }
}
