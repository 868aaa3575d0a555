package org.diffusionlabs.spark;

import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.training.LabelEmbedding;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Label conditioning as a DataFrame transform: checks an integer label column against {@code [0, classes)} and
 * appends either the label as {@code int} (default) or, with {@link #setEmbeddings}, its row of a label-embedding
 * table as {@code array<float>} (e.g. a trained model's {@code encoder.weight}, {@link #fromModel}). Null labels and
 * labels out of range are invalid rows ({@link HandleInvalid}). Params: {@code inputCol} (default label),
 * {@code outputCol} (cond), {@code classes} (required), {@code embeddings} and {@code embeddingDim} (optional; the
 * table as doubles, which hold every float exactly), {@code handleInvalid}.
 */
public final class LabelConditioning extends ColumnTransformer<LabelConditioning> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "LabelConditioning";
    private final IntParam classes;
    private final DoubleArrayParam embeddings;
    private final IntParam embeddingDim;

    public LabelConditioning(String uid) {
        super(uid, "label", "cond");
        classes = new IntParam(this, "classes", "labels must be in [0, classes) (required)",
                ParamChecks.number(OWNER, "classes", n -> n > 0, "must be > 0"));
        embeddings = new DoubleArrayParam(this, "embeddings", "optional label-embedding table [classes, embeddingDim], "
                + "row-major: the output becomes the label's row");
        embeddingDim = new IntParam(this, "embeddingDim", "columns of the embeddings table",
                ParamChecks.number(OWNER, "embeddingDim", n -> n > 0, "must be > 0"));
    }

    public LabelConditioning(int classes) {
        this(Identifiable.randomUID(OWNER));
        set(this.classes, classes);
    }

    public static MLReader<LabelConditioning> read() {
        return new StageReader<>(LabelConditioning.class);
    }

    public static LabelConditioning load(String path) {
        return read().load(path);
    }

    public IntParam classes() {
        return classes;
    }

    public DoubleArrayParam embeddings() {
        return embeddings;
    }

    public IntParam embeddingDim() {
        return embeddingDim;
    }

    public int getClasses() {
        return (Integer) getOrDefault(classes);
    }

    /** The label embedding of a trained model (its classes and {@code encoder.weight}). */
    public static LabelConditioning fromModel(DiffusionModel model) {
        INDArray t = model.weights().get(LabelEmbedding.NAME);
        Checks.require(t != null, OWNER, "model", "weights", "has no " + LabelEmbedding.NAME);
        return new LabelConditioning((int) t.size(0)).setEmbeddings(
                t.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat(), (int) t.size(1));
    }

    public LabelConditioning setClasses(int n) {
        set(classes, n);
        return this;
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    /** A [classes, dim] table, row-major: the output becomes the label's row. */
    public LabelConditioning setEmbeddings(float[] rowMajor, int dim) {
        Checks.positive(dim, OWNER, "embeddingDim");
        int n = getClasses();
        Checks.require(rowMajor != null && rowMajor.length == n * dim, OWNER, "embeddings",
                rowMajor == null ? null : rowMajor.length, "must hold classes·dim = " + n * dim + " values");
        double[] table = new double[rowMajor.length];
        for (int i = 0; i < table.length; i++) {
            table[i] = rowMajor[i];
        }
        set(embeddings, table);
        set(embeddingDim, dim);
        return this;
    }

    /** The table as floats, checked against classes and embeddingDim; null without one. */
    private float[] table() {
        if (!isDefined(embeddings)) {
            return null;
        }
        required(embeddingDim, "setEmbeddings");
        double[] t = getOrDefault(embeddings);
        int n = getClasses();
        int dim = (Integer) getOrDefault(embeddingDim);
        Checks.require(t.length == n * dim, OWNER, "embeddings", t.length, "must hold classes·embeddingDim = "
                + n * dim + " values");
        float[] f = new float[t.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t[i];
        }
        return f;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        required(classes, "setClasses");
        table();
        String inputCol = getInputCol();
        DataType t = column(schema, inputCol, "inputCol");
        if (!ColumnTypes.integer(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be an integer type");
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(getOutputCol(), !isDefined(embeddings) ? DataTypes.IntegerType
                : DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        String col = getInputCol();
        int idx = schema.fieldIndex(col);
        int n = getClasses();
        float[] tab = table();
        int d = tab == null ? 0 : (Integer) getOrDefault(embeddingDim);
        return (row, key) -> {
            if (row.isNullAt(idx)) {
                throw new InvalidRowException(col + " is null");
            }
            long l = ((Number) row.get(idx)).longValue();
            if (l < 0 || l >= n) {
                throw new InvalidRowException(col + " = " + l + " is not in [0, " + n + ")");
            }
            if (tab == null) {
                return new Object[] {(int) l};
            }
            float[] e = new float[d];
            System.arraycopy(tab, (int) l * d, e, 0, d);
            return new Object[] {boxed(e)};
        };
    }
}
