package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.recipes.ModelSpec;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Training rows of a DataFrame: the image column is {@code array<float>} / {@code array<double>} (channel-first
 * c·h·w values in [−1, 1]) or {@code binary} (the same values as little-endian float32), the condition column what
 * the model is conditioned on ({@link ConditionColumn}: an integer label or a condition vector). {@link #check}
 * validates the schema on the driver (naming the column and the schema); {@link #stack} turns a partition's rows
 * into {@link LabeledImages}, naming the row of a bad image.
 */
public final class ImageRows {
    private static final String OWNER = "DiffusionTrainer";

    private ImageRows() {}

    /** Throws {@link IllegalArgumentException} unless the schema has a usable image and condition column. */
    public static void check(StructType schema, String imageCol, ConditionColumn cond) {
        DataType image = field(schema, imageCol, "imageCol").dataType();
        boolean ok = image instanceof BinaryType || ColumnTypes.floatArray(image);
        if (!ok) {
            throw new IllegalArgumentException(OWNER + " parameter imageCol given invalid value " + imageCol
                    + ": column type " + image.simpleString() + " must be array<float>, array<double> or binary (float32 LE)");
        }
        cond.check(schema);
    }

    private static StructField field(StructType schema, String name, String param) {
        if (name == null || !Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(OWNER + " parameter " + param + " given invalid value " + name
                    + ": no such column in " + schema.simpleString());
        }
        return schema.apply(name);
    }

    /** The rows as {@link ImageRow}s, partitioning kept (checks the schema first). */
    public static JavaRDD<ImageRow> of(Dataset<Row> data, String imageCol, ConditionColumn cond) {
        check(data.schema(), imageCol, cond);
        boolean binary = data.schema().apply(imageCol).dataType() instanceof BinaryType;
        return data.select(imageCol, cond.name()).toJavaRDD().map(row -> toImageRow(row, binary, cond));
    }

    private static ImageRow toImageRow(Row row, boolean binary, ConditionColumn cond) {
        String where = "training row " + row;
        if (row.isNullAt(0)) {
            throw new IllegalArgumentException(where + " has a null image");
        }
        float[] embedding = null;
        int label = 0;
        if (cond.labels()) {
            long l = row.isNullAt(1) ? -1 : ((Number) row.get(1)).longValue();
            if (l < 0 || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(where + ": label " + (row.isNullAt(1) ? "null" : l)
                        + " must be in [0, " + Integer.MAX_VALUE + "]");
            }
            label = (int) l;
        } else {
            embedding = cond.embedding(row, 1, where);
        }
        float[] pixels = pixels(row, binary, where);
        return embedding == null ? new ImageRow(pixels, label) : new ImageRow(pixels, embedding);
    }

    private static float[] pixels(Row row, boolean binary, String where) {
        float[] pixels;
        if (binary) {
            byte[] bytes = row.getAs(0);
            if (bytes.length % 4 != 0) {
                throw new IllegalArgumentException(where + ": " + bytes.length
                        + " image bytes is not a whole number of float32 values");
            }
            pixels = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pixels);
        } else {
            try {
                pixels = ColumnTypes.floats(row, 0);
            } catch (RowTransformer.InvalidRowException e) {
                throw new IllegalArgumentException(where + ": image " + e.getMessage());
            }
        }
        return pixels;
    }

    /**
     * A partition's rows as one image set {@code [n, channels, size, size]} with their labels or (for a model
     * conditioned on vectors) their condition vectors {@code [n, embedDim]}, or null for an empty partition.
     *
     * @throws IllegalArgumentException naming the row (within the partition) of an image of another size, a label
     *                                  beyond the model's classes or a condition vector of another width
     */
    public static LabeledImages stack(Iterator<ImageRow> rows, int channels, int size, ModelSpec model) {
        int per = channels * size * size;
        int dim = model.unet().embedDim();
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        while (rows.hasNext()) {
            ImageRow r = rows.next();
            String where = "training row " + images.size() + " of its partition";
            if (r.pixels().length != per) {
                throw new IllegalArgumentException(where + " has " + r.pixels().length + " values, expected "
                        + "channels·size·size = " + channels + "·" + size + "·" + size + " = " + per);
            }
            if (model.labelConditioned()) {
                if (r.embedding() != null || r.label() >= model.classes()) {
                    throw new IllegalArgumentException(where + " has " + (r.embedding() != null ? "a condition vector"
                            : "label " + r.label()) + " but the model has " + model.classes() + " classes");
                }
            } else if (r.embedding() == null || r.embedding().length != dim) {
                throw new IllegalArgumentException(where + " has " + (r.embedding() == null ? "a label"
                        : r.embedding().length + " condition values") + " but the model is conditioned on vectors of " + dim);
            }
            images.add(r.pixels());
            labels.add(r.label());
            if (r.embedding() != null) {
                embeddings.add(r.embedding());
            }
        }
        if (images.isEmpty()) {
            return null;
        }
        LabeledImages set = LabeledImages.stack(images, labels.stream().mapToInt(Integer::intValue).toArray(),
                channels, size, size);
        return model.labelConditioned() ? set : set.withEmbeddings(Nd4j.create(embeddings.toArray(new float[0][])));
    }
}
