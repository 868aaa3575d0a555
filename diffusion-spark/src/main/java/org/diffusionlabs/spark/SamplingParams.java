package org.diffusionlabs.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.recipes.TrainingSpec;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The params of batch sampling, shared (as Spark ML's {@code *Params} traits are) by {@link DiffusionModel} and the
 * {@link DiffusionTrainer} that fits it: values set on the trainer pass to its model, and since the model takes the
 * trainer's uid, a {@code ParamMap} built from the trainer's params also applies to the model's {@code transform}.
 * A Java interface cannot hold the {@link Param} objects, so each owner keeps them in a {@link Defs} made with its uid;
 * the default methods here are the accessors, getters and validating setters. (The choice of EMA or trained weights
 * is {@code sampleWeights}: {@code DiffusionModel.weights()} returns the arrays.)
 */
public interface SamplingParams<T extends SamplingParams<T>> extends Params {

    /** One owner's sampling params and their defaults. */
    final class Defs implements Serializable {
        private static final long serialVersionUID = 1L;
        final String owner;
        final Param<String> labelCol;
        final Param<String> embeddingCol;
        final Param<String> keyCol;
        final Param<String> outputCol;
        final Param<String> rawCol;
        final Param<String> sampler;
        final IntParam steps;
        final DoubleParam eta;
        final DoubleParam guidance;
        final LongParam seed;
        final IntParam batchSize;
        final Param<String> sampleWeights;

        /**
         * Creates the params of {@code params} (named {@code owner} in messages); guidance defaults to
         * {@code defaultGuidance}, or when that is null to the spec's scale at the time it is read.
         */
        Defs(Params params, String owner, Double defaultGuidance) {
            this.owner = owner;
            labelCol = new Param<>(params, "labelCol", "integer column of class labels",
                    ParamChecks.column(owner, "labelCol"));
            embeddingCol = new Param<>(params, "embeddingCol", "column of condition vectors (array<float|double> or "
                    + "vector of the U-Net's embedDim values), used instead of labelCol by a model conditioned on "
                    + "vectors (ModelSpec classes = 0)", ParamChecks.column(owner, "embeddingCol"));
            keyCol = new Param<>(params, "keyCol", "integer column keying each row's noise; unset keys rows by their "
                    + "global index (one extra job, needs a deterministic order)", ParamChecks.column(owner, "keyCol"));
            outputCol = new Param<>(params, "outputCol", "binary output column of PNG bytes",
                    ParamChecks.column(owner, "outputCol"));
            rawCol = new Param<>(params, "rawCol", "optional array<float> output column of the raw image (c*h*w)",
                    ParamChecks.column(owner, "rawCol"));
            sampler = new Param<>(params, "sampler", "ddim or ddpm",
                    ParamChecks.valid(owner, "sampler", s -> s.equals("ddim") || s.equals("ddpm"), "must be ddim or ddpm"));
            steps = new IntParam(params, "steps", "ddim: S updates over S + 1 strided steps; ddpm: S strided steps",
                    ParamChecks.number(owner, "steps", s -> s > 0, "must be > 0"));
            eta = new DoubleParam(params, "eta", "DDIM eta (0 = deterministic given x_T)",
                    ParamChecks.number(owner, "eta", e -> e >= 0 && Double.isFinite(e), "must be finite and >= 0"));
            guidance = new DoubleParam(params, "guidance", "classifier-free guidance strength",
                    ParamChecks.number(owner, "guidance", Double::isFinite, "must be finite"));
            seed = new LongParam(params, "seed", "seed of the sampling noise (training draws use the spec's seed)");
            batchSize = new IntParam(params, "batchSize", "rows per forward pass in a partition (part of the "
                    + "reproducibility key: other sizes round differently)",
                    ParamChecks.number(owner, "batchSize", b -> b > 0, "must be > 0"));
            sampleWeights = new Param<>(params, "sampleWeights", "the weights sampled with: ema (the trained ones "
                    + "without EMA) or model", ParamChecks.valid(owner, "sampleWeights",
                    w -> w.equals("ema") || w.equals("model"), "must be ema or model"));
            params.setDefault(labelCol, "label");
            params.setDefault(embeddingCol, "embedding");
            params.setDefault(outputCol, "image_png");
            params.setDefault(sampler, "ddim");
            params.setDefault(steps, 50);
            params.setDefault(eta, 0.0);
            if (defaultGuidance != null) {
                params.setDefault(guidance, defaultGuidance);
            }
            params.setDefault(seed, 0L);
            params.setDefault(batchSize, 16);
            params.setDefault(sampleWeights, "ema");
        }
    }

    /** This owner's params (not a param itself). */
    Defs samplingParams();

    /** The training run whose model samples (its model spec says whether rows carry labels or vectors). */
    TrainingSpec spec();

    /** The column the model is conditioned on: {@code labelCol} or, for a model without classes, {@code embeddingCol}. */
    default ConditionColumn conditionColumn() {
        return ConditionColumn.of(samplingParams().owner, spec().model(), getLabelCol(), getEmbeddingCol());
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    private T setOrClear(Param<String> p, String value) {
        if (value == null) {
            clear(p);
        } else {
            set(p, value);
        }
        return self();
    }

    default Param<String> labelCol() {
        return samplingParams().labelCol;
    }

    default Param<String> embeddingCol() {
        return samplingParams().embeddingCol;
    }

    default Param<String> keyCol() {
        return samplingParams().keyCol;
    }

    default Param<String> outputCol() {
        return samplingParams().outputCol;
    }

    default Param<String> rawCol() {
        return samplingParams().rawCol;
    }

    default Param<String> sampler() {
        return samplingParams().sampler;
    }

    default IntParam steps() {
        return samplingParams().steps;
    }

    default DoubleParam eta() {
        return samplingParams().eta;
    }

    default DoubleParam guidance() {
        return samplingParams().guidance;
    }

    default LongParam seed() {
        return samplingParams().seed;
    }

    default IntParam batchSize() {
        return samplingParams().batchSize;
    }

    default Param<String> sampleWeights() {
        return samplingParams().sampleWeights;
    }

    default String getLabelCol() {
        return getOrDefault(labelCol());
    }

    default String getEmbeddingCol() {
        return getOrDefault(embeddingCol());
    }

    /** The key column, or null (rows keyed by their global index). */
    default String getKeyCol() {
        return isDefined(keyCol()) ? getOrDefault(keyCol()) : null;
    }

    default String getOutputCol() {
        return getOrDefault(outputCol());
    }

    /** The raw image column, or null (none). */
    default String getRawCol() {
        return isDefined(rawCol()) ? getOrDefault(rawCol()) : null;
    }

    default String getSampler() {
        return getOrDefault(sampler());
    }

    default int getSteps() {
        return (Integer) getOrDefault(steps());
    }

    default double getEta() {
        return (Double) getOrDefault(eta());
    }

    /** The guidance set (or defaulted), else the spec's guidance scale. */
    default double getGuidance() {
        return isDefined(guidance()) ? (Double) getOrDefault(guidance()) : spec().model().guidanceScale();
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default String getSampleWeights() {
        return getOrDefault(sampleWeights());
    }

    /** Integer column of class labels (default {@code label}). */
    default T setLabelCol(String c) {
        set(labelCol(), c);
        return self();
    }

    /**
     * Column of condition vectors (default {@code embedding}) for a model conditioned on vectors (its spec has no
     * classes): {@code array<float>}, {@code array<double>} or a Spark ML vector of the U-Net's embedDim values.
     */
    default T setEmbeddingCol(String c) {
        set(embeddingCol(), c);
        return self();
    }

    /**
     * Integer column whose value keys each row's noise; null (default) keys rows by their global index in the
     * DataFrame's order, which needs one extra Spark job (zipWithIndex) and a deterministic input order.
     */
    default T setKeyCol(String c) {
        return setOrClear(keyCol(), c);
    }

    /** Binary output column of PNG bytes (default {@code image_png}). */
    default T setOutputCol(String c) {
        set(outputCol(), c);
        return self();
    }

    /** Optional {@code array<float>} output column of the raw image (c·h·w); null (default) for none. */
    default T setRawCol(String c) {
        return setOrClear(rawCol(), c);
    }

    /** {@code ddim} (default) or {@code ddpm}. */
    default T setSampler(String s) {
        set(sampler(), s);
        return self();
    }

    /** ddim: S updates over S + 1 evenly strided steps; ddpm: S strided steps (capped at the training steps). */
    default T setSteps(int s) {
        set(steps(), s);
        return self();
    }

    /** DDIM eta (default 0 = deterministic given x_T). */
    default T setEta(double e) {
        set(eta(), e);
        return self();
    }

    /** Classifier-free guidance strength (default: the spec's guidance scale). */
    default T setGuidance(double g) {
        set(guidance(), g);
        return self();
    }

    /** Seed of the sampling noise (default 0). */
    default T setSeed(long s) {
        set(seed(), s);
        return self();
    }

    /**
     * Rows per forward batch within a partition (default 16; short batches are padded). Keep it fixed to reproduce
     * images bit for bit: it does not change the noise, but other sizes round differently.
     */
    default T setBatchSize(int b) {
        set(batchSize(), b);
        return self();
    }

    /** {@code ema} (default; the trained weights when the spec has no EMA) or {@code model}. */
    default T setSampleWeights(String w) {
        set(sampleWeights(), w);
        return self();
    }

    /**
     * The schema after sampling: the input's columns, then {@code outputCol} (binary) and, when set, {@code rawCol}
     * ({@code array<float>}).
     *
     * @throws IllegalArgumentException naming the parameter and column: a missing or mistyped condition column
     *                                  (label or vector), a missing or non-integer key column, or an output column that already exists
     */
    default StructType samplingSchema(StructType schema) {
        String owner = samplingParams().owner;
        conditionColumn().check(schema);
        if (getKeyCol() != null) {
            integerColumn(owner, schema, getKeyCol(), "keyCol");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        String out = getOutputCol();
        String raw = getRawCol();
        if (names.contains(out)) {
            throw new IllegalArgumentException(owner + " parameter outputCol given invalid value " + out
                    + ": column already exists in " + schema.simpleString());
        }
        if (raw != null && (names.contains(raw) || raw.equals(out))) {
            throw new IllegalArgumentException(owner + " parameter rawCol given invalid value " + raw
                    + ": column already exists in " + schema.simpleString() + " or equals outputCol");
        }
        StructType result = schema.add(out, DataTypes.BinaryType, false);
        return raw == null ? result : result.add(raw, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }

    private static void integerColumn(String owner, StructType schema, String name, String param) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(owner + " parameter " + param + " given invalid value " + name
                    + ": no such column in " + schema.simpleString());
        }
        DataType t = schema.apply(name).dataType();
        if (!ColumnTypes.integer(t)) {
            throw new IllegalArgumentException(owner + " parameter " + param + " given invalid value " + name
                    + ": column type " + t.simpleString() + " must be an integer type");
        }
    }
}
