package org.diffusionlabs.spark;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.data.OnInvalid;

import java.util.List;

/**
 * Resizes square planar images ({@code array<float>}/{@code array<double>}, c·s·s values, c the configured channels)
 * to c·size·size with {@code Resize}'s bilinear filter (Pillow's, as the single-machine reader resizes). A length that
 * is not c·s·s, a null or non-finite value is an invalid row ({@link HandleInvalid}). Params: {@code inputCol}
 * (default pixels), {@code outputCol} (resized), {@code channels} (1), {@code size} (required), {@code handleInvalid}.
 */
public final class ResizeImages extends ColumnTransformer<ResizeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "ResizeImages";
    private final IntParam channels;
    private final IntParam size;

    public ResizeImages() {
        this(Identifiable.randomUID(OWNER));
    }

    public ResizeImages(String uid) {
        super(uid, "pixels", "resized");
        channels = new IntParam(this, "channels", "channels of the planar images: 1 or 3",
                ParamChecks.number(OWNER, "channels", c -> c == 1 || c == 3, "must be 1 or 3"));
        size = new IntParam(this, "size", "output images are size x size (required)",
                ParamChecks.number(OWNER, "size", s -> s > 0, "must be > 0"));
        setDefault(channels, 1);
    }

    public static MLReader<ResizeImages> read() {
        return new StageReader<>(ResizeImages.class);
    }

    public static ResizeImages load(String path) {
        return read().load(path);
    }

    public IntParam channels() {
        return channels;
    }

    public IntParam size() {
        return size;
    }

    public int getChannels() {
        return (Integer) getOrDefault(channels);
    }

    public int getSize() {
        return (Integer) getOrDefault(size);
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    public ResizeImages setChannels(int c) {
        set(channels, c);
        return this;
    }

    /** Output images are size × size. Required. */
    public ResizeImages setSize(int s) {
        set(size, s);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        required(size, "setSize");
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
        int c = getChannels();
        int sz = getSize();
        return (row, key) -> {
            float[] v = ColumnTypes.floats(row, idx);
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
