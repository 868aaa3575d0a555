package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Training rows of a DataFrame: the image column is {@code array<float>} / {@code array<double>} (channel-first
 * c·h·w values in [−1, 1]) or {@code binary} (the same values as little-endian float32), the label column an integer
 * type. {@link #check} validates the schema on the driver (naming the column and the schema); {@link #stack} turns a
 * partition's rows into {@link LabeledImages}, naming the row of a bad image.
 */
public final class ImageRows {
    private ImageRows() {}

    /** Throws {@link IllegalArgumentException} unless the schema has a usable image and label column. */
    public static void check(StructType schema, String imageCol, String labelCol) {
        DataType image = field(schema, imageCol, "imageCol").dataType();
        boolean ok = image instanceof BinaryType || (image instanceof ArrayType a
                && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType));
        if (!ok) {
            throw new IllegalArgumentException("DiffusionTrainer parameter imageCol given invalid value " + imageCol
                    + ": column type " + image.simpleString() + " must be array<float>, array<double> or binary (float32 LE)");
        }
        DataType label = field(schema, labelCol, "labelCol").dataType();
        if (!(label instanceof IntegerType || label instanceof LongType || label instanceof ShortType
                || label instanceof ByteType)) {
            throw new IllegalArgumentException("DiffusionTrainer parameter labelCol given invalid value " + labelCol
                    + ": column type " + label.simpleString() + " must be an integer type");
        }
    }

    private static StructField field(StructType schema, String name, String param) {
        if (name == null || !Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("DiffusionTrainer parameter " + param + " given invalid value " + name
                    + ": no such column in " + schema.simpleString());
        }
        return schema.apply(name);
    }

    /** The rows as {@link ImageRow}s, partitioning kept (checks the schema first). */
    public static JavaRDD<ImageRow> of(Dataset<Row> data, String imageCol, String labelCol) {
        check(data.schema(), imageCol, labelCol);
        boolean binary = data.schema().apply(imageCol).dataType() instanceof BinaryType;
        return data.select(imageCol, labelCol).toJavaRDD().map(row -> toImageRow(row, binary));
    }

    private static ImageRow toImageRow(Row row, boolean binary) {
        if (row.isNullAt(0) || row.isNullAt(1)) {
            throw new IllegalArgumentException("training row " + row + " has a null image or label");
        }
        long label = ((Number) row.get(1)).longValue();
        if (label < 0 || label > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("training row label " + label + " must be in [0, " + Integer.MAX_VALUE + "]");
        }
        float[] pixels;
        if (binary) {
            byte[] bytes = row.getAs(0);
            if (bytes.length % 4 != 0) {
                throw new IllegalArgumentException("training row with label " + label + ": " + bytes.length
                        + " image bytes is not a whole number of float32 values");
            }
            pixels = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pixels);
        } else {
            List<?> values = row.getList(0);
            pixels = new float[values.size()];
            for (int i = 0; i < pixels.length; i++) {
                Object v = values.get(i);
                if (v == null) {
                    throw new IllegalArgumentException("training row with label " + label + ": pixel " + i + " is null");
                }
                pixels[i] = ((Number) v).floatValue();
            }
        }
        return new ImageRow(pixels, (int) label);
    }

    /**
     * A partition's rows as one image set {@code [n, channels, size, size]}, or null for an empty partition.
     *
     * @throws IllegalArgumentException naming the row (within the partition) of an image of another size or a label
     *                                  beyond {@code classes}
     */
    public static LabeledImages stack(Iterator<ImageRow> rows, int channels, int size, int classes) {
        int per = channels * size * size;
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        while (rows.hasNext()) {
            ImageRow r = rows.next();
            if (r.pixels().length != per) {
                throw new IllegalArgumentException("training row " + images.size() + " of its partition has "
                        + r.pixels().length + " values, expected channels·size·size = " + channels + "·" + size + "·"
                        + size + " = " + per);
            }
            if (r.label() >= classes) {
                throw new IllegalArgumentException("training row " + images.size() + " of its partition has label "
                        + r.label() + " but the model has " + classes + " classes");
            }
            images.add(r.pixels());
            labels.add(r.label());
        }
        if (images.isEmpty()) {
            return null;
        }
        return LabeledImages.stack(images, labels.stream().mapToInt(Integer::intValue).toArray(), channels, size, size);
    }
}
