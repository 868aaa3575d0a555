package org.diffusionlabs.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
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
 * rows are keyed by a column. Null images or non-finite values are invalid rows ({@link HandleInvalid}).
 */
public final class RandomDiffusionStepsTransformer extends RowTransformer<RandomDiffusionStepsTransformer> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "RandomDiffusionSteps";
    private final DiscreteGaussianSchedule schedule;
    private String inputCol = "image";
    private String keyCol;
    private String timeCol = "t";
    private String noiseCol = "noise";
    private String noisedCol = "xt";
    private long seed;
    private long epoch;

    public RandomDiffusionStepsTransformer(DiscreteGaussianSchedule schedule) {
        this.schedule = Checks.notNull(schedule, OWNER, "schedule");
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    public RandomDiffusionStepsTransformer setInputCol(String c) {
        this.inputCol = Checks.notNull(c, OWNER, "inputCol");
        return this;
    }

    /** Integer column keying each row's draws; null (default) keys rows by their global index. */
    public RandomDiffusionStepsTransformer setKeyCol(String c) {
        this.keyCol = c;
        return this;
    }

    /** Output column names for t, the noise and the noised image (defaults t, noise, xt). */
    public RandomDiffusionStepsTransformer setOutputCols(String t, String noise, String xt) {
        this.timeCol = Checks.notNull(t, OWNER, "timeCol");
        this.noiseCol = Checks.notNull(noise, OWNER, "noiseCol");
        this.noisedCol = Checks.notNull(xt, OWNER, "noisedCol");
        return this;
    }

    public RandomDiffusionStepsTransformer setSeed(long s) {
        this.seed = s;
        return this;
    }

    /** The epoch: each epoch draws new steps and noise for the same rows. */
    public RandomDiffusionStepsTransformer setEpoch(long e) {
        Checks.require(e >= 0, OWNER, "epoch", e, "must be >= 0");
        this.epoch = e;
        return this;
    }

    @Override
    protected String keyColumn() {
        return keyCol == null ? "" : keyCol;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataType t = column(schema, inputCol, "inputCol");
        if (!floatArray(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be array<float> or array<double> (values in [-1, 1])");
        }
        if (keyCol != null) {
            DataType k = column(schema, keyCol, "keyCol");
            if (!(k instanceof org.apache.spark.sql.types.IntegerType || k instanceof org.apache.spark.sql.types.LongType)) {
                throw new IllegalArgumentException(OWNER + " parameter keyCol given invalid value " + keyCol
                        + ": column type " + k.simpleString() + " must be int or bigint");
            }
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(timeCol, DataTypes.IntegerType, true),
                DataTypes.createStructField(noiseCol, DataTypes.createArrayType(DataTypes.FloatType, false), true),
                DataTypes.createStructField(noisedCol, DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        int idx = schema.fieldIndex(inputCol);
        DiscreteGaussianSchedule s = schedule;
        long sd = seed;
        long ep = epoch;
        String col = inputCol;
        return (row, key) -> {
            float[] v = floats(row, idx);
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
