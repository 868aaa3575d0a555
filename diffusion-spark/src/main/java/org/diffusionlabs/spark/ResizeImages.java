package org.diffusionlabs.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.data.OnInvalid;
import org.diffusionlabs.nd.Checks;

import java.util.List;

/**
 * Resizes square planar images ({@code array<float>}/{@code array<double>}, c·s·s values, c the configured channels)
 * to c·size·size with {@code Resize}'s bilinear filter (Pillow's, as the single-machine reader resizes). A length that
 * is not c·s·s, a null or non-finite value is an invalid row ({@link HandleInvalid}).
 */
public final class ResizeImages extends ColumnTransformer<ResizeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "ResizeImages";
    private int channels = 1;
    private int size;

    public ResizeImages() {
        super("pixels", "resized");
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    public ResizeImages setChannels(int c) {
        Checks.require(c == 1 || c == 3, OWNER, "channels", c, "must be 1 or 3");
        this.channels = c;
        return this;
    }

    /** Output images are size × size. Required. */
    public ResizeImages setSize(int s) {
        this.size = Checks.positive(s, OWNER, "size");
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Checks.require(size > 0, OWNER, "size", size, "must be set (setSize)");
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
        int c = channels;
        int sz = size;
        String col = inputCol;
        return (row, key) -> {
            float[] v = floats(row, idx);
            int side = (int) Math.round(Math.sqrt(v.length / (double) c));
            if (side == 0 || side * side * c != v.length) {
                throw new InvalidRowException(col + " has " + v.length + " values, not " + c + "·s·s");
            }
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new InvalidRowException(col + " value " + i + " is " + v[i]);
                }
            }
            try {
                return new Object[] {boxed(ImageDecoder.fit(v, c, side, side, col, key,
                        new ImageOptions(c, sz, sz, true, false, OnInvalid.ERROR)))};
            } catch (InvalidImageException | IllegalArgumentException e) {
                throw new InvalidRowException(e.getMessage());
            }
        };
    }
}
