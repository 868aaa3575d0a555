package org.diffusionlabs.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.nd.Checks;

import java.util.Arrays;
import java.util.List;

/**
 * Decodes and resizes an image column to planar {@code array<float>} c·size·size in [0, 1] (grey or RGB, converted
 * like Pillow, bilinear resize when the size differs): the input is encoded bytes ({@code binary}: PNG, JPEG, …),
 * Spark's image struct ({@code spark.read.format("image")}: height, width, nChannels, mode, data; BGR(A) bytes) or an
 * already decoded {@code array<float>}/{@code array<double>} of planar values in [0, 1] (square, of the configured
 * channels). Undecodable images follow {@link HandleInvalid}.
 */
public final class DecodeImages extends ColumnTransformer<DecodeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "DecodeImages";
    static final String[] STRUCT_FIELDS = {"height", "width", "nChannels", "mode", "data"};
    private int channels = 1;
    private int size;
    private boolean resize = true;

    public DecodeImages() {
        super("image", "pixels");
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    /** 1 (grey, default) or 3 (RGB); other inputs are converted. */
    public DecodeImages setChannels(int c) {
        Checks.require(c == 1 || c == 3, OWNER, "channels", c, "must be 1 or 3");
        this.channels = c;
        return this;
    }

    /** Output images are size × size. Required. */
    public DecodeImages setSize(int s) {
        this.size = Checks.positive(s, OWNER, "size");
        return this;
    }

    /** Resize other sizes (default true); false makes them invalid rows. */
    public DecodeImages setResize(boolean r) {
        this.resize = r;
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Checks.require(size > 0, OWNER, "size", size, "must be set (setSize)");
        DataType t = column(schema, inputCol, "inputCol");
        if (!(t instanceof BinaryType || floatArray(t) || isImageStruct(t))) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be binary (encoded image), Spark's image struct"
                    + " or array<float>/array<double> (planar values in [0, 1])");
        }
        return append(schema, outputFields(schema));
    }

    static boolean isImageStruct(DataType t) {
        return t instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(Arrays.asList(STRUCT_FIELDS));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(outputCol, DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        int idx = schema.fieldIndex(inputCol);
        DataType t = schema.apply(inputCol).dataType();
        int sz = size;
        boolean rs = resize;
        String col = inputCol;
        int kind = t instanceof BinaryType ? 0 : floatArray(t) ? 1 : 2;
        int c = channels;
        return (row, key) -> {
            // ImageOptions is not Serializable: made per row (a small record)
            ImageOptions o = new ImageOptions(c, sz, sz, rs, true, org.diffusionlabs.data.OnInvalid.ERROR);
            if (row.isNullAt(idx)) {
                throw new InvalidRowException(col + " is null");
            }
            try {
                float[] px = switch (kind) {
                    case 0 -> ImageDecoder.decode(row.getAs(idx), col, key, o);
                    case 1 -> {
                        float[] v = floats(row, idx);
                        int side = (int) Math.round(Math.sqrt(v.length / (double) c));
                        if (side * side * c != v.length) {
                            throw new InvalidRowException(col + " has " + v.length + " values, not channels·s·s for "
                                    + c + " channel(s)");
                        }
                        yield ImageDecoder.fit(v, c, side, side, col, key, o);
                    }
                    default -> struct(row.getStruct(idx), col, key, o);
                };
                return new Object[] {boxed(px)};
            } catch (InvalidImageException | IllegalArgumentException e) {
                throw new InvalidRowException(e.getMessage());
            }
        };
    }

    /** Spark's image struct (OpenCV byte order: grey, BGR or BGRA) as planar grey/RGB in [0, 1], fitted. */
    static float[] struct(Row image, String file, long row, ImageOptions o) throws InvalidImageException {
        for (String f : STRUCT_FIELDS) {
            if (image.isNullAt(image.fieldIndex(f))) {
                throw new InvalidImageException(file, row, "Spark image struct has a null " + f, null);
            }
        }
        int h = image.getInt(image.fieldIndex("height"));
        int w = image.getInt(image.fieldIndex("width"));
        int n = image.getInt(image.fieldIndex("nChannels"));
        int mode = image.getInt(image.fieldIndex("mode"));
        byte[] data = image.getAs("data");
        int expectedMode = n == 1 ? 0 : n == 3 ? 16 : n == 4 ? 24 : -1;
        if (expectedMode < 0 || mode != expectedMode) {
            throw new InvalidImageException(file, row, "Spark image struct has nChannels " + n + " and mode " + mode
                    + "; supported: 1/0 (CV_8UC1), 3/16 (CV_8UC3), 4/24 (CV_8UC4)", null);
        }
        if (h <= 0 || w <= 0 || (long) h * w > ImageDecoder.MAX_PIXELS || data.length != (long) h * w * n) {
            throw new InvalidImageException(file, row, "Spark image struct " + w + "x" + h + "x" + n + " has "
                    + data.length + " data bytes", null);
        }
        int plane = h * w;
        int ch = n == 1 ? 1 : 3;
        float[] out = new float[ch * plane];
        for (int p = 0; p < plane; p++) {
            if (n == 1) {
                out[p] = (data[p] & 0xFF) / 255f;
            } else {
                out[p] = (data[p * n + 2] & 0xFF) / 255f;
                out[plane + p] = (data[p * n + 1] & 0xFF) / 255f;
                out[2 * plane + p] = (data[p * n] & 0xFF) / 255f;
            }
        }
        return ImageDecoder.fit(out, ch, h, w, file, row, o);
    }
}
