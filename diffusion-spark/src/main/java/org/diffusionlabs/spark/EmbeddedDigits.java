package org.diffusionlabs.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;

import java.util.ArrayList;
import java.util.List;

/**
 * The MNIST digits embedded in the library ({@link MnistEmbedded}) as a DataFrame of encoded images, the shape of a
 * real image table: {@code id} bigint, {@code image} binary (a 28×28 grey PNG), {@code label} int. A notebook or a
 * test writes it out as its input table, so it needs no download and no data of its own.
 */
public final class EmbeddedDigits {
    /** The columns of {@link #frame}. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("image", DataTypes.BinaryType, false)
            .add("label", DataTypes.IntegerType, false);

    private EmbeddedDigits() {}

    /**
     * {@code count} of the 10,000 digits, evenly spaced through the embedded file (which is grouped by digit, so
     * every class is represented in proportion), with ids 0..count−1, built on the driver (≈ 300 bytes a row).
     *
     * @throws IllegalArgumentException if {@code count} is not in [1, {@value MnistEmbedded#SIZE}]
     */
    public static Dataset<Row> frame(SparkSession spark, int count) {
        if (count < 1 || count > MnistEmbedded.SIZE) {
            throw new IllegalArgumentException("EmbeddedDigits parameter count given invalid value " + count
                    + ": must be in [1, " + MnistEmbedded.SIZE + "]");
        }
        LabeledImages all = MnistEmbedded.load();
        int side = (int) all.images().size(2);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = (int) ((long) i * all.size() / count);
            float[] unit = all.images().slice(index).dup('c').data().asFloat();
            float[] signed = new float[unit.length];
            for (int p = 0; p < unit.length; p++) {
                signed[p] = unit[p] * 2f - 1f;   // Pngs takes [-1, 1]; k/255 maps back to level k exactly
            }
            rows.add(RowFactory.create((long) i, Pngs.png(signed, 1, side, side), all.label(index)));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }
}
