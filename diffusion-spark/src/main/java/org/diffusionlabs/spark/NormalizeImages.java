package org.diffusionlabs.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.nd.Checks;

import java.util.List;

/**
 * Maps an {@code array<float>}/{@code array<double>} column of values in [0, 1] to {@code array<float>} in [−1, 1]
 * (x·2 − 1, as {@code Normalize.toSigned}); optionally checks the length (channels·size·size). Nulls, non-finite
 * values, values outside [0, 1] and wrong lengths are invalid rows ({@link HandleInvalid}).
 */
public final class NormalizeImages extends ColumnTransformer<NormalizeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "NormalizeImages";
    private int length;

    public NormalizeImages() {
        super("pixels", "image");
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    /** Expected values per row (channels·size·size); 0 (default) accepts any length. */
    public NormalizeImages setLength(int n) {
        Checks.require(n >= 0, OWNER, "length", n, "must be >= 0 (0 = any)");
        this.length = n;
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataType t = column(schema, inputCol, "inputCol");
        if (!floatArray(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be array<float> or array<double>");
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(outputCol, DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        int idx = schema.fieldIndex(inputCol);
        int n = length;
        String col = inputCol;
        return (row, key) -> {
            float[] v = floats(row, idx);
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
