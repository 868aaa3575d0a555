package org.diffusionlabs.spark;

import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code transforms.RandomDiffusionSteps} as a DataFrame transform: for each image (an {@code array<float>} in
 * [−1, 1]) draws a step t and Gaussian noise and appends {@code t} (int), {@code noise} and {@code xt} = q_sample(x,
 * noise, t) ({@code array<float>}). The draws of a row come from {@code Rng(Seeds.row(seed, epoch, key))}, t first,
 * then the noise (as the reference), keyed by the row's {@code keyCol} value or, without one, its global index
 * (zipWithIndex): a retried or speculative task reproduces them exactly, and so does another partitioning when the
 * rows are keyed by a column. Null images or non-finite values are invalid rows ({@link HandleInvalid}). The
 * schedule is saved as its {@code betas} param (its forward process is all this transform uses). Params:
 * {@code betas} (required), {@code inputCol} (image), {@code keyCol} (unset), {@code timeCol} (t), {@code noiseCol}
 * (noise), {@code noisedCol} (xt), {@code seed} (0), {@code epoch} (0), {@code handleInvalid}.
 */
public final class RandomDiffusionStepsTransformer extends RowTransformer<RandomDiffusionStepsTransformer> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "RandomDiffusionSteps";
    private final DoubleArrayParam betas;
    private final Param<String> inputCol;
    private final Param<String> keyCol;
    private final Param<String> timeCol;
    private final Param<String> noiseCol;
    private final Param<String> noisedCol;
    private final LongParam seed;
    private final LongParam epoch;

    public RandomDiffusionStepsTransformer(String uid) {
        super(uid);
        betas = new DoubleArrayParam(this, "betas", "the schedule's per-step noise variances (required)",
                ParamChecks.valid(OWNER, "betas", b -> b.length >= 2, "needs at least 2 steps"));
        inputCol = new Param<>(this, "inputCol", "image column, values in [-1, 1]", ParamChecks.column(OWNER, "inputCol"));
        keyCol = new Param<>(this, "keyCol", "integer column keying each row's draws; unset keys rows by their global "
                + "index", ParamChecks.column(OWNER, "keyCol"));
        timeCol = new Param<>(this, "timeCol", "output column of the step t", ParamChecks.column(OWNER, "timeCol"));
        noiseCol = new Param<>(this, "noiseCol", "output column of the noise", ParamChecks.column(OWNER, "noiseCol"));
        noisedCol = new Param<>(this, "noisedCol", "output column of the noised image xt",
                ParamChecks.column(OWNER, "noisedCol"));
        seed = new LongParam(this, "seed", "random seed");
        epoch = new LongParam(this, "epoch", "each epoch draws new steps and noise for the same rows",
                ParamChecks.number(OWNER, "epoch", e -> e >= 0, "must be >= 0"));
        setDefault(inputCol, "image");
        setDefault(timeCol, "t");
        setDefault(noiseCol, "noise");
        setDefault(noisedCol, "xt");
        setDefault(seed, 0L);
        setDefault(epoch, 0L);
    }

    public RandomDiffusionStepsTransformer(DiscreteGaussianSchedule schedule) {
        this(Identifiable.randomUID(OWNER));
        setSchedule(schedule);
    }

    public static MLReader<RandomDiffusionStepsTransformer> read() {
        return new StageReader<>(RandomDiffusionStepsTransformer.class);
    }

    public static RandomDiffusionStepsTransformer load(String path) {
        return read().load(path);
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    public DoubleArrayParam betas() {
        return betas;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> keyCol() {
        return keyCol;
    }

    public Param<String> timeCol() {
        return timeCol;
    }

    public Param<String> noiseCol() {
        return noiseCol;
    }

    public Param<String> noisedCol() {
        return noisedCol;
    }

    public LongParam seed() {
        return seed;
    }

    public LongParam epoch() {
        return epoch;
    }

    /** The schedule whose forward process noises the images (stored as its betas). */
    public RandomDiffusionStepsTransformer setSchedule(DiscreteGaussianSchedule schedule) {
        Checks.notNull(schedule, OWNER, "schedule");
        set(betas, schedule.values(Coefficient.BETAS).clone());
        return this;
    }

    public RandomDiffusionStepsTransformer setInputCol(String c) {
        set(inputCol, c);
        return this;
    }

    /** Integer column keying each row's draws; null (default) keys rows by their global index. */
    public RandomDiffusionStepsTransformer setKeyCol(String c) {
        if (c == null) {
            clear(keyCol);
        } else {
            set(keyCol, c);
        }
        return this;
    }

    /** Output column names for t, the noise and the noised image (defaults t, noise, xt). */
    public RandomDiffusionStepsTransformer setOutputCols(String t, String noise, String xt) {
        set(timeCol, t);
        set(noiseCol, noise);
        set(noisedCol, xt);
        return this;
    }

    public RandomDiffusionStepsTransformer setSeed(long s) {
        set(seed, s);
        return this;
    }

    /** The epoch: each epoch draws new steps and noise for the same rows. */
    public RandomDiffusionStepsTransformer setEpoch(long e) {
        set(epoch, e);
        return this;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    /** The key column, or null (rows keyed by their global index). */
    public String getKeyCol() {
        return isDefined(keyCol) ? getOrDefault(keyCol) : null;
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    public long getEpoch() {
        return (Long) getOrDefault(epoch);
    }

    @Override
    protected String keyColumn() {
        return isDefined(keyCol) ? getOrDefault(keyCol) : "";
    }

    @Override
    public StructType transformSchema(StructType schema) {
        required(betas, "setSchedule");
        String in = getInputCol();
        DataType t = column(schema, in, "inputCol");
        if (!ColumnTypes.floatArray(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + in
                    + ": column type " + t.simpleString() + " must be array<float> or array<double> (values in [-1, 1])");
        }
        String key = getKeyCol();
        if (key != null) {
            DataType k = column(schema, key, "keyCol");
            if (!(k instanceof org.apache.spark.sql.types.IntegerType || k instanceof org.apache.spark.sql.types.LongType)) {
                throw new IllegalArgumentException(OWNER + " parameter keyCol given invalid value " + key
                        + ": column type " + k.simpleString() + " must be int or bigint");
            }
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(getOrDefault(timeCol), DataTypes.IntegerType, true),
                DataTypes.createStructField(getOrDefault(noiseCol), DataTypes.createArrayType(DataTypes.FloatType, false), true),
                DataTypes.createStructField(getOrDefault(noisedCol), DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        String col = getInputCol();
        int idx = schema.fieldIndex(col);
        DiscreteGaussianSchedule s = new DiscreteGaussianSchedule(getOrDefault(betas));
        long sd = getSeed();
        long ep = getEpoch();
        return (row, key) -> {
            float[] v = ColumnTypes.floats(row, idx);
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new InvalidRowException(col + " value " + i + " is " + v[i]);
                }
            }
            Rng rng = new Rng(Seeds.row(sd, ep, key));
            INDArray x0 = Nd4j.create(v, new long[] {1, v.length}, 'c');
            INDArray t = s.sampleSteps(x0, rng);
            INDArray noise = s.sampleNoise(x0, rng);
            INDArray xt = s.qSample(x0, noise, t);
            return new Object[] {t.getInt(0), boxed(noise.data().asFloat()), boxed(xt.dup('c').data().asFloat())};
        };
    }
}
