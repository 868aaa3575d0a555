package org.diffusionlabs.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageHeader;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;

import java.util.Arrays;
import java.util.List;

/**
 * Decodes and resizes an image column to planar {@code array<float>} c·size·size in [0, 1] (grey or RGB, converted
 * like Pillow, bilinear resize when the size differs): the input is encoded bytes ({@code binary}: PNG, JPEG, …),
 * Spark's image struct ({@code spark.read.format("image")}: height, width, nChannels, mode, data; BGR(A) bytes) or an
 * already decoded {@code array<float>}/{@code array<double>} of planar values in [0, 1] (square, of the configured
 * channels). Undecodable images follow {@link HandleInvalid}. Params: {@code inputCol} (default image),
 * {@code outputCol} (pixels), {@code channels} (1), {@code size} (required), {@code resize} (true), {@code handleInvalid}.
 */
public final class DecodeImages extends ColumnTransformer<DecodeImages> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "DecodeImages";
    static final String[] STRUCT_FIELDS = {"height", "width", "nChannels", "mode", "data"};
    private final IntParam channels;
    private final IntParam size;
    private final BooleanParam resize;

    public DecodeImages() {
        this(Identifiable.randomUID(OWNER));
    }

    public DecodeImages(String uid) {
        super(uid, "image", "pixels");
        channels = new IntParam(this, "channels", "output channels: 1 (grey) or 3 (RGB); other inputs are converted",
                ParamChecks.number(OWNER, "channels", c -> c == 1 || c == 3, "must be 1 or 3"));
        size = new IntParam(this, "size", "output images are size x size (required)",
                ParamChecks.number(OWNER, "size", s -> s > 0, "must be > 0"));
        resize = new BooleanParam(this, "resize", "resize images of another size (bilinear); false makes them invalid rows");
        setDefault(channels, 1);
        setDefault(resize, true);
    }

    public static MLReader<DecodeImages> read() {
        return new StageReader<>(DecodeImages.class);
    }

    public static DecodeImages load(String path) {
        return read().load(path);
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    public IntParam channels() {
        return channels;
    }

    public IntParam size() {
        return size;
    }

    public BooleanParam resize() {
        return resize;
    }

    public int getChannels() {
        return (Integer) getOrDefault(channels);
    }

    public int getSize() {
        return (Integer) getOrDefault(size);
    }

    public boolean getResize() {
        return (Boolean) getOrDefault(resize);
    }

    /** 1 (grey, default) or 3 (RGB); other inputs are converted. */
    public DecodeImages setChannels(int c) {
        set(channels, c);
        return this;
    }

    /** Output images are size × size. Required. */
    public DecodeImages setSize(int s) {
        set(size, s);
        return this;
    }

    /** Resize other sizes (default true); false makes them invalid rows. */
    public DecodeImages setResize(boolean r) {
        set(resize, r);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        required(size, "setSize");
        String inputCol = getInputCol();
        DataType t = column(schema, inputCol, "inputCol");
        if (!(t instanceof BinaryType || ColumnTypes.floatArray(t) || isImageStruct(t))) {
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
        return List.of(DataTypes.createStructField(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        String col = getInputCol();
        int idx = schema.fieldIndex(col);
        DataType t = schema.apply(col).dataType();
        int sz = getSize();
        boolean rs = getResize();
        int kind = t instanceof BinaryType ? 0 : ColumnTypes.floatArray(t) ? 1 : 2;
        int c = getChannels();
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
                        float[] v = ColumnTypes.floats(row, idx);
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
        new ImageHeader(w, h, n, 1).check(file, row); // the struct's data: w·h·n bytes
        if (data.length != (long) h * w * n) {
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
