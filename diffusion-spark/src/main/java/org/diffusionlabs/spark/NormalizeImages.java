package org.diffusionlabs.spark;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * Maps an {@code array<float>}/{@code array<double>} column of values in [0, 1] to {@code array<float>} in [−1, 1]
 * (x·2 − 1, as {@code Normalize.toSigned}); optionally checks the length (channels·size·size). Nulls, non-finite
 * values, values outside [0, 1] and wrong lengths are invalid rows ({@link HandleInvalid}). Params: {@code inputCol}
 * (default pixels), {@code outputCol} (image), {@code length} (0 = any), {@code handleInvalid}.
 */
public final class NormalizeImages extends ColumnTransformer<NormalizeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "NormalizeImages";
    private final IntParam length;

    public NormalizeImages() {
        this(Identifiable.randomUID(OWNER));
    }

    public NormalizeImages(String uid) {
        super(uid, "pixels", "image");
        length = new IntParam(this, "length", "expected values per row (channels*size*size); 0 accepts any length",
                ParamChecks.number(OWNER, "length", n -> n >= 0, "must be >= 0 (0 = any)"));
        setDefault(length, 0);
    }

    public static MLReader<NormalizeImages> read() {
        return new StageReader<>(NormalizeImages.class);
    }

    public static NormalizeImages load(String path) {
        return read().load(path);
    }

    public IntParam length() {
        return length;
    }

    public int getLength() {
        return (Integer) getOrDefault(length);
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    /** Expected values per row (channels·size·size); 0 (default) accepts any length. */
    public NormalizeImages setLength(int n) {
        set(length, n);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String inputCol = getInputCol();
        DataType t = column(schema, inputCol, "inputCol");
        if (!ColumnTypes.floatArray(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be array<float> or array<double>");
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        String col = getInputCol();
        int idx = schema.fieldIndex(col);
        int n = getLength();
        return (row, key) -> {
            float[] v = ColumnTypes.floats(row, idx);
            if (n > 0 && v.length != n) {
                throw new InvalidRowException(col + " has " + v.length + " values, expected " + n);
            }
            for (int i = 0; i < v.length; i++) {
                if (!(v[i] >= 0f && v[i] <= 1f)) {
                    throw new InvalidRowException(col + " value " + i + " = " + v[i] + " is not in [0, 1]");
                }
                v[i] = v[i] * 2f - 1f;
            }
            return new Object[] {boxed(v)};
        };
    }
}
