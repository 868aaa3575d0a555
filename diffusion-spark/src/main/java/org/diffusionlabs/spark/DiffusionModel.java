package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Seeds;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.Tuple2;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A trained diffusion model ({@link DiffusionTrainer#fit} returns one, {@link #load} reads one back) and the
 * Transformer of batch sampling: {@link #transform} maps a DataFrame of conditions (an integer {@code label} column,
 * optionally a {@code key} column) to the same rows plus a PNG column ({@code image_png}) and, optionally, the raw
 * image ({@code array<float>}, c·h·w in [−1, 1]). Spark ML's conventions without its Scala trait machinery (spark-mllib
 * is not a dependency): validating setters, {@link #transformSchema} (errors name the parameter and the column before
 * any Spark job runs), {@link #copy()}, {@link #save} / {@link #load}.
 * <p>
 * <b>Reproducibility.</b> Each row's noise (x_T and every sampler step's noise) comes from its own
 * {@code Rng(Seeds.sample(seed, key))}, the key being the row's {@code keyCol} value or, without one, its global
 * index in the DataFrame's order (zipWithIndex). Every forward pass has exactly {@code batchSize} rows (a short last
 * batch is padded), so an image is bit-identical whatever the partitioning, its position in its batch, or the task
 * attempt. The batch size itself is part of the reproducibility key, like the seed: other batch sizes make the
 * kernels round differently (differences around 1e-5, which can flip a PNG level). Each partition rebuilds the model once from the spec and the broadcast weights
 * (a {@link WeightSnapshot}: plain {@code float[]}, never an INDArray) and reuses its inference graph for every batch.
 * <p>
 * <b>Persistence</b> ({@link #save}): {@code metadata.json} (class, format, parameters, image size, step, the spec as
 * JSON and serialised) and {@code checkpoints/step-N/} in the single-machine trainer's checkpoint format, through a
 * {@link CheckpointStore} over Hadoop's FileSystem (local, HDFS, S3A, DBFS).
 */
public final class DiffusionModel {
    public static final String METADATA = "metadata.json";
    public static final String CHECKPOINTS = "checkpoints";
    private static final String OWNER = "DiffusionModel";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingSpec spec;
    private final int imageSize;
    private final WeightSnapshot state;
    private final long step;
    private final int rejectedContributions;

    private String labelCol = "label";
    private String keyCol;
    private String outputCol = "image_png";
    private String rawCol;
    private String sampler = "ddim";
    private int steps = 50;
    private double eta = 0.0;
    private Double guidance;
    private long seed;
    private int batchSize = 16;
    private String weights = "ema";

    DiffusionModel(TrainingSpec spec, int imageSize, WeightSnapshot state, long step, int rejectedContributions) {
        this.spec = Checks.notNull(spec, OWNER, "spec");
        this.imageSize = Checks.positive(imageSize, OWNER, "imageSize");
        this.state = Checks.notNull(state, OWNER, "state");
        this.step = step;
        this.rejectedContributions = rejectedContributions;
    }

    /**
     * The model of a single-machine (or Spark) training checkpoint: {@code spec} must be the run's (the same
     * arrays); images are channels × {@code imageSize} × {@code imageSize}.
     */
    public static DiffusionModel fromCheckpoint(TrainingSpec spec, int imageSize, Checkpoint cp) {
        TrainingSpec.Built b = spec.build();
        long s = TrainingCheckpoint.restore(cp, b.step(), b.ema()).step;
        return new DiffusionModel(spec, imageSize, WeightSnapshot.capture(b, false), s, 0);
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

    /** The trained arrays by name (U-Net state-dict names, label encoder, learned null embeddings); fresh copies. */
    public Map<String, INDArray> weights() {
        return state.tensors(WeightSnapshot.PARAM);
    }

    /** The EMA weights (empty without EMA); fresh copies. */
    public Map<String, INDArray> emaWeights() {
        return state.tensors(WeightSnapshot.EMA);
    }

    /** The model rebuilt from the spec with these weights and EMA (a fresh optimiser). */
    public TrainingSpec.Built build() {
        TrainingSpec.Built b = spec.build();
        state.restoreInto(b, false);
        return b;
    }

    // ------------------------------------------------------------------------------------------------ params

    /** Integer column of class labels (default {@code label}). */
    public DiffusionModel setLabelCol(String c) {
        this.labelCol = Checks.notNull(c, OWNER, "labelCol");
        return this;
    }

    /**
     * Integer column whose value keys each row's noise; null (default) keys rows by their global index in the
     * DataFrame's order, which needs one extra Spark job (zipWithIndex) and a deterministic input order.
     */
    public DiffusionModel setKeyCol(String c) {
        this.keyCol = c;
        return this;
    }

    /** Binary output column of PNG bytes (default {@code image_png}). */
    public DiffusionModel setOutputCol(String c) {
        this.outputCol = Checks.notNull(c, OWNER, "outputCol");
        return this;
    }

    /** Optional {@code array<float>} output column of the raw image (c·h·w); null (default) for none. */
    public DiffusionModel setRawCol(String c) {
        this.rawCol = c;
        return this;
    }

    /** {@code ddim} (default) or {@code ddpm}. */
    public DiffusionModel setSampler(String s) {
        Checks.require("ddim".equals(s) || "ddpm".equals(s), OWNER, "sampler", s, "must be ddim or ddpm");
        this.sampler = s;
        return this;
    }

    /** ddim: S updates over S + 1 evenly strided steps; ddpm: S strided steps (capped at the training steps). */
    public DiffusionModel setSteps(int s) {
        this.steps = Checks.positive(s, OWNER, "steps");
        return this;
    }

    /** DDIM eta (0 = deterministic given x_T). */
    public DiffusionModel setEta(double e) {
        Checks.require(e >= 0 && Double.isFinite(e), OWNER, "eta", e, "must be finite and >= 0");
        this.eta = e;
        return this;
    }

    /** Classifier-free guidance strength (default: the spec's guidance scale). */
    public DiffusionModel setGuidance(double g) {
        Checks.require(Double.isFinite(g), OWNER, "guidance", g, "must be finite");
        this.guidance = g;
        return this;
    }

    /** Noise seed (default 0). */
    public DiffusionModel setSeed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * Rows per forward batch within a partition (default 16; short batches are padded). Keep it fixed to reproduce
     * images bit for bit: it does not change the noise, but other sizes round differently.
     */
    public DiffusionModel setBatchSize(int b) {
        this.batchSize = Checks.positive(b, OWNER, "batchSize");
        return this;
    }

    /** {@code ema} (default; the trained weights when the spec has no EMA) or {@code model}. */
    public DiffusionModel setWeights(String w) {
        Checks.require("ema".equals(w) || "model".equals(w), OWNER, "weights", w, "must be ema or model");
        this.weights = w;
        return this;
    }

    public String sampler() {
        return sampler;
    }

    public int steps() {
        return steps;
    }

    public double guidance() {
        return guidance != null ? guidance : spec.model().guidanceScale();
    }

    /** A copy with the same weights and parameters. */
    public DiffusionModel copy() {
        DiffusionModel c = new DiffusionModel(spec, imageSize, state, step, rejectedContributions);
        c.labelCol = labelCol;
        c.keyCol = keyCol;
        c.outputCol = outputCol;
        c.rawCol = rawCol;
        c.sampler = sampler;
        c.steps = steps;
        c.eta = eta;
        c.guidance = guidance;
        c.seed = seed;
        c.batchSize = batchSize;
        c.weights = weights;
        return c;
    }

    // ----------------------------------------------------------------------------------------------- transform

    /**
     * The output schema: the input's columns, then {@code outputCol} (binary) and, when set, {@code rawCol}
     * ({@code array<float>}).
     *
     * @throws IllegalArgumentException naming the parameter and column: a missing or non-integer label or key
     *                                  column, or an output column that already exists
     */
    public StructType transformSchema(StructType schema) {
        integerColumn(schema, labelCol, "labelCol");
        if (keyCol != null) {
            integerColumn(schema, keyCol, "keyCol");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        if (names.contains(outputCol)) {
            throw new IllegalArgumentException(OWNER + " parameter outputCol given invalid value " + outputCol
                    + ": column already exists in " + schema.simpleString());
        }
        if (rawCol != null && (names.contains(rawCol) || rawCol.equals(outputCol))) {
            throw new IllegalArgumentException(OWNER + " parameter rawCol given invalid value " + rawCol
                    + ": column already exists in " + schema.simpleString() + " or equals outputCol");
        }
        StructType out = schema.add(outputCol, DataTypes.BinaryType, false);
        if (rawCol != null) {
            out = out.add(rawCol, DataTypes.createArrayType(DataTypes.FloatType, false), false);
        }
        return out;
    }

    private static void integerColumn(StructType schema, String name, String param) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(OWNER + " parameter " + param + " given invalid value " + name
                    + ": no such column in " + schema.simpleString());
        }
        DataType t = schema.apply(name).dataType();
        if (!(t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType)) {
            throw new IllegalArgumentException(OWNER + " parameter " + param + " given invalid value " + name
                    + ": column type " + t.simpleString() + " must be an integer type");
        }
    }

    /** One generated image per input row, appended as {@code outputCol} (PNG) and optionally {@code rawCol}. */
    public Dataset<Row> transform(Dataset<Row> data) {
        StructType out = transformSchema(data.schema());
        int labelIdx = data.schema().fieldIndex(labelCol);
        int keyIdx = keyCol == null ? -1 : data.schema().fieldIndex(keyCol);
        String labelName = labelCol;
        String keyName = keyCol;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<WeightSnapshot> bc = jsc.broadcast(samplingWeights());
        ModelSpec model = spec.model();
        long buildSeed = spec.seed();
        SamplingSettings settings = new SamplingSettings(sampler, steps, eta, guidance(), seed, batchSize, imageSize);
        boolean raw = rawCol != null;
        JavaRDD<Row> rows = data.toJavaRDD();
        JavaRDD<Tuple2<Row, Long>> keyed = keyIdx < 0 ? rows.zipWithIndex().rdd().toJavaRDD()
                : rows.map(r -> new Tuple2<>(r, key(r, keyIdx, keyName)));
        JavaRDD<Row> sampled = keyed.mapPartitions(it -> new Batches(it, bc, model, buildSeed, settings, labelIdx,
                labelName, raw));
        return data.sparkSession().createDataFrame(sampled, out);
    }

    private static long key(Row r, int idx, String name) {
        if (r.isNullAt(idx)) {
            throw new IllegalArgumentException(OWNER + ": row " + r + " has a null " + name + " (keyCol)");
        }
        return ((Number) r.get(idx)).longValue();
    }

    /** The weights sampled with, by state-dict name: the trained arrays with the EMA ones over them (weights = ema). */
    WeightSnapshot samplingWeights() {
        Map<String, INDArray> all = new LinkedHashMap<>(state.tensors(WeightSnapshot.PARAM));
        if (weights.equals("ema")) {
            all.putAll(state.tensors(WeightSnapshot.EMA));
        }
        return WeightSnapshot.of(all, 0, 0);
    }

    /** A partition's rows in batches of batchSize through one lazily built sampler. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Tuple2<Row, Long>> in;
        private final Broadcast<WeightSnapshot> weights;
        private final ModelSpec model;
        private final long buildSeed;
        private final SamplingSettings s;
        private final int labelIdx;
        private final String labelName;
        private final boolean raw;
        private PartitionSampler sampler;
        private final List<Row> ready = new ArrayList<>();
        private int next;

        Batches(Iterator<Tuple2<Row, Long>> in, Broadcast<WeightSnapshot> weights, ModelSpec model, long buildSeed,
                SamplingSettings s, int labelIdx, String labelName, boolean raw) {
            this.in = in;
            this.weights = weights;
            this.model = model;
            this.buildSeed = buildSeed;
            this.s = s;
            this.labelIdx = labelIdx;
            this.labelName = labelName;
            this.raw = raw;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            if (!in.hasNext()) {
                return false;
            }
            fill();
            return next < ready.size();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }

        private void fill() {
            ready.clear();
            next = 0;
            List<Row> batch = new ArrayList<>();
            List<Long> keys = new ArrayList<>();
            while (in.hasNext() && batch.size() < s.batchSize) {
                Tuple2<Row, Long> t = in.next();
                batch.add(t._1());
                keys.add(t._2());
            }
            int n = batch.size();
            // a short last batch is padded to batchSize (label 0, key Long.MIN_VALUE; outputs dropped): every
            // forward pass has the same shapes, so the kernels — and the floats of a row — do not depend on how
            // many rows its partition has
            int[] labels = new int[s.batchSize];
            long[] k = new long[s.batchSize];
            java.util.Arrays.fill(k, Long.MIN_VALUE);
            for (int i = 0; i < n; i++) {
                Row r = batch.get(i);
                if (r.isNullAt(labelIdx)) {
                    throw new IllegalArgumentException(OWNER + ": row with key " + keys.get(i) + " has a null "
                            + labelName + " (labelCol)");
                }
                long l = ((Number) r.get(labelIdx)).longValue();
                if (l < 0 || l >= model.classes()) {
                    throw new IllegalArgumentException(OWNER + ": row with key " + keys.get(i) + " has " + labelName
                            + " = " + l + " but the model has " + model.classes() + " classes");
                }
                labels[i] = (int) l;
                k[i] = keys.get(i);
            }
            if (sampler == null) {
                sampler = new PartitionSampler(model, buildSeed, weights.value(), s);
            }
            INDArray images = sampler.sample(labels, k);
            int c = sampler.channels();
            int per = c * s.imageSize * s.imageSize;
            float[] all = images.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            for (int i = 0; i < n; i++) {
                float[] img = Arrays.copyOfRange(all, i * per, (i + 1) * per);
                Row r = batch.get(i);
                Object[] values = new Object[r.length() + (raw ? 2 : 1)];
                for (int j = 0; j < r.length(); j++) {
                    values[j] = r.get(j);
                }
                values[r.length()] = Pngs.png(img, c, s.imageSize, s.imageSize);
                if (raw) {
                    Float[] boxed = new Float[per];
                    for (int j = 0; j < per; j++) {
                        boxed[j] = img[j];
                    }
                    values[r.length() + 1] = boxed;
                }
                ready.add(RowFactory.create(values));
            }
        }
    }

    // --------------------------------------------------------------------------------------------- persistence

    /** Writes the model to {@code path} (any Hadoop location); fails if it exists. */
    public void save(String path) {
        save(path, false);
    }

    /** Writes the model to {@code path}, replacing what is there when {@code overwrite}. */
    public void save(String path, boolean overwrite) {
        try {
            HadoopStorage root = new HadoopStorage(path);
            if (root.exists("")) {
                if (!overwrite) {
                    throw new IllegalArgumentException(OWNER + ": " + path + " already exists (use save(path, true))");
                }
                root.delete("");
            }
            TrainingSpec.Built b = build();
            Trainer.State st = new Trainer.State(step, DataCursor.at(Seeds.data(spec.seed(), 0), 1, 0), spec.seed(), 0);
            new CheckpointStore(new HadoopStorage(path + "/" + CHECKPOINTS), 1)
                    .save(TrainingCheckpoint.capture(b.step(), b.ema(), st, spec.json(), Map.of()));
            try (OutputStream o = root.create(METADATA)) {
                o.write(metadata().toPrettyString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(OWNER + ": cannot save to " + path + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode metadata() throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("class", DiffusionModel.class.getName());
        m.put("format", FORMAT);
        m.put("timestamp", System.currentTimeMillis());
        m.put("imageSize", imageSize);
        m.put("step", step);
        m.put("rejectedContributions", rejectedContributions);
        ObjectNode p = m.putObject("params");
        p.put("labelCol", labelCol);
        p.put("keyCol", keyCol);
        p.put("outputCol", outputCol);
        p.put("rawCol", rawCol);
        p.put("sampler", sampler);
        p.put("steps", steps);
        p.put("eta", eta);
        if (guidance != null) {
            p.put("guidance", guidance);
        }
        p.put("seed", seed);
        p.put("batchSize", batchSize);
        p.put("weights", weights);
        m.set("spec", JSON.readTree(spec.json()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(spec);
        }
        m.put("specSerialized", Base64.getEncoder().encodeToString(bytes.toByteArray()));
        return m;
    }

    /** Reads a model {@link #save}d at {@code path}: parameters, spec and the newest valid checkpoint there. */
    public static DiffusionModel load(String path) {
        try {
            HadoopStorage root = new HadoopStorage(path);
            if (!root.exists(METADATA)) {
                throw new IllegalArgumentException(OWNER + ": " + path + " has no " + METADATA + " (not a saved DiffusionModel)");
            }
            JsonNode m;
            try (InputStream in = root.open(METADATA)) {
                m = JSON.readTree(in);
            }
            if (!DiffusionModel.class.getName().equals(m.path("class").asText()) || m.path("format").asInt() != FORMAT) {
                throw new IllegalArgumentException(OWNER + ": " + path + "/" + METADATA + " is class "
                        + m.path("class").asText() + " format " + m.path("format").asInt() + ", expected "
                        + DiffusionModel.class.getName() + " format " + FORMAT);
            }
            TrainingSpec spec;
            try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(
                    Base64.getDecoder().decode(m.path("specSerialized").asText())))) {
                spec = (TrainingSpec) o.readObject();
            } catch (ClassNotFoundException e) {
                throw new IOException("spec: " + e.getMessage(), e);
            }
            Checkpoint cp = new CheckpointStore(new HadoopStorage(path + "/" + CHECKPOINTS), Integer.MAX_VALUE)
                    .latest(skipped -> { })
                    .orElseThrow(() -> new IllegalArgumentException(OWNER + ": " + path + "/" + CHECKPOINTS
                            + " has no valid checkpoint"));
            DiffusionModel fresh = fromCheckpoint(spec, m.path("imageSize").asInt(), cp);
            DiffusionModel d = new DiffusionModel(spec, fresh.imageSize, fresh.state, m.path("step").asLong(),
                    m.path("rejectedContributions").asInt());
            JsonNode p = m.path("params");
            d.setLabelCol(p.path("labelCol").asText());
            d.setKeyCol(p.path("keyCol").isNull() ? null : p.path("keyCol").asText());
            d.setOutputCol(p.path("outputCol").asText());
            d.setRawCol(p.path("rawCol").isNull() ? null : p.path("rawCol").asText());
            d.setSampler(p.path("sampler").asText());
            d.setSteps(p.path("steps").asInt());
            d.setEta(p.path("eta").asDouble());
            if (p.has("guidance")) {
                d.setGuidance(p.path("guidance").asDouble());
            }
            d.setSeed(p.path("seed").asLong());
            d.setBatchSize(p.path("batchSize").asInt());
            d.setWeights(p.path("weights").asText());
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(OWNER + ": cannot load " + path + ": " + e.getMessage(), e);
        }
    }
}
