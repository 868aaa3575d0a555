package org.diffusionlabs.spark;

import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
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
 * labels out of range are invalid rows ({@link HandleInvalid}).
 */
public final class LabelConditioning extends ColumnTransformer<LabelConditioning> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "LabelConditioning";
    private final int classes;
    private float[] table;
    private int dim;

    public LabelConditioning(int classes) {
        super("label", "cond");
        this.classes = Checks.positive(classes, OWNER, "classes");
    }

    /** The label embedding of a trained model (its classes and {@code encoder.weight}). */
    public static LabelConditioning fromModel(DiffusionModel model) {
        INDArray t = model.weights().get(LabelEmbedding.NAME);
        Checks.require(t != null, OWNER, "model", "weights", "has no " + LabelEmbedding.NAME);
        return new LabelConditioning((int) t.size(0)).setEmbeddings(
                t.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat(), (int) t.size(1));
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    /** A [classes, dim] table, row-major: the output becomes the label's row. */
    public LabelConditioning setEmbeddings(float[] rowMajor, int dim) {
        Checks.positive(dim, OWNER, "dim");
        Checks.require(rowMajor != null && rowMajor.length == classes * dim, OWNER, "embeddings",
                rowMajor == null ? null : rowMajor.length, "must hold classes·dim = " + classes * dim + " values");
        this.table = rowMajor.clone();
        this.dim = dim;
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataType t = column(schema, inputCol, "inputCol");
        if (!(t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be an integer type");
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(outputCol, table == null ? DataTypes.IntegerType
                : DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        int idx = schema.fieldIndex(inputCol);
        int n = classes;
        float[] tab = table;
        int d = dim;
        String col = inputCol;
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
