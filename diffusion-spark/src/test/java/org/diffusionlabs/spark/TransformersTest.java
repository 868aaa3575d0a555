package org.diffusionlabs.spark;

import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.JpegFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DecodeImages, NormalizeImages, RandomDiffusionStepsTransformer: outputs, handleInvalid + counts, schema errors. */
class TransformersTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);

    private static byte[] png(int w, int h, int level) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, level);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static final StructType BYTES = new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType);

    private Dataset<Row> encoded() throws IOException {
        return SPARK.session().createDataFrame(List.of(RowFactory.create(0L, png(4, 4, 255)), RowFactory.create(1L,
                new byte[] {1, 2, 3}), RowFactory.create(2L, png(8, 8, 0))), BYTES).repartition(2);
    }

    @Test
    void decodeResizeNormalizeWithHandleInvalid() throws IOException {
        DecodeImages skip = new DecodeImages().setSize(8).setHandleInvalid("skip");
        Dataset<Row> pixels = skip.transform(encoded());
        Dataset<Row> signed = new NormalizeImages().setLength(64).setOutputCol("signed").transform(pixels);
        // one evaluation (orderBy would evaluate the rows twice: its range sampling counts too)
        List<Row> rows = new ArrayList<>(signed.collectAsList());
        rows.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
        assertEquals(2, rows.size());
        assertEquals(1, skip.invalidRows());
        assertEquals(64, rows.get(0).getList(2).size());
        assertEquals(1f, (Float) rows.get(0).getList(3).get(0), 1e-6);
        assertEquals(-1f, (Float) rows.get(1).getList(3).get(0), 1e-6);

        DecodeImages keep = new DecodeImages().setSize(8).setHandleInvalid("keep");
        List<Row> kept = new ArrayList<>(keep.transform(encoded()).collectAsList());
        kept.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
        assertEquals(3, kept.size());
        assertNull(kept.get(1).get(2));
        assertEquals(1, keep.invalidRows());

        SparkException e = assertThrows(SparkException.class,
                () -> new DecodeImages().setSize(8).transform(encoded()).collectAsList());
        assertTrue(e.getMessage().contains("DecodeImages") && e.getMessage().contains("handleInvalid"), e.getMessage());

        // no resize: another size is invalid
        DecodeImages exact = new DecodeImages().setSize(8).setResize(false).setHandleInvalid("skip");
        assertEquals(1, exact.transform(encoded()).count());
        assertEquals(2, exact.invalidRows());
    }

    /**
     * Real-world JPEGs in executors: a CMYK file (with a foreign ICC profile, which the JDK reader refuses) and a
     * progressive one decode; a JPEG cut inside its header is one counted invalid row under skip.
     */
    @Test
    void decodeImagesReadsCmykAndProgressiveJpegsAndSkipsATruncatedOne() {
        byte[] whole = JpegFixtures.jpeg(JpegFixtures.quadrants(8, 8), false);
        Dataset<Row> jpegs = SPARK.session().createDataFrame(List.of(
                RowFactory.create(0L, JpegFixtures.cmyk(8, 8, 255, 0, 0, 0, true)),
                RowFactory.create(1L, JpegFixtures.jpeg(JpegFixtures.quadrants(8, 8), true)),
                RowFactory.create(2L, JpegFixtures.truncated(whole, 5))), BYTES).repartition(2);
        DecodeImages decode = new DecodeImages().setSize(8).setChannels(3).setHandleInvalid("skip");
        List<Row> rows = new ArrayList<>(decode.transform(jpegs).collectAsList());
        rows.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
        assertEquals(2, rows.size());
        assertEquals(1, decode.invalidRows());
        List<Float> cyan = rows.get(0).getList(2);
        assertEquals(0f, cyan.get(0), 3 / 255f);          // red plane
        assertEquals(1f, cyan.get(64), 3 / 255f);         // green plane
        assertEquals(1f, cyan.get(128), 3 / 255f);        // blue plane
    }

    @Test
    void sparkImageStructAndArrays() {
        StructType image = new StructType().add("origin", DataTypes.StringType).add("height", DataTypes.IntegerType)
                .add("width", DataTypes.IntegerType).add("nChannels", DataTypes.IntegerType)
                .add("mode", DataTypes.IntegerType).add("data", DataTypes.BinaryType);
        StructType schema = new StructType().add("image", image);
        byte[] bgr = new byte[2 * 2 * 3];
        for (int p = 0; p < 4; p++) {
            bgr[p * 3] = (byte) 255;             // blue
        }
        Row struct = RowFactory.create("x", 2, 2, 3, 16, bgr);
        List<Row> out = new DecodeImages().setSize(2).setChannels(3)
                .transform(SPARK.session().createDataFrame(List.of(RowFactory.create(struct)), schema)).collectAsList();
        List<Object> px = out.get(0).getList(1);
        assertEquals(12, px.size());
        assertEquals(0f, (Float) px.get(0));          // R plane
        assertEquals(1f, (Float) px.get(8));          // B plane

        StructType arrays = new StructType().add("image", DataTypes.createArrayType(DataTypes.DoubleType));
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            values.add(0.5);
        }
        Row r = new DecodeImages().setSize(8).transform(SPARK.session().createDataFrame(
                List.of(RowFactory.create((Object) values.toArray(new Double[0]))), arrays)).first();
        assertEquals(64, r.getList(1).size());
        assertEquals(0.5f, (Float) r.getList(1).get(10), 1e-6);
    }

    @Test
    void resizeArraysAndCountBadLengths() {
        StructType arrays = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
        Float[] ok = new Float[16];
        java.util.Arrays.fill(ok, 0.25f);
        Float[] bad = new Float[15];
        java.util.Arrays.fill(bad, 0.25f);
        ResizeImages resize = new ResizeImages().setSize(8).setHandleInvalid("keep");
        List<Row> out = resize.transform(SPARK.session().createDataFrame(List.of(RowFactory.create((Object) ok),
                RowFactory.create((Object) bad)), arrays).coalesce(1)).collectAsList();
        assertEquals(64, out.get(0).getList(1).size());
        assertEquals(0.25f, (Float) out.get(0).getList(1).get(20), 1e-6);
        assertNull(out.get(1).get(1));
        assertEquals(1, resize.invalidRows());
    }

    @Test
    void labelConditioningChecksTheRangeAndLooksUpEmbeddings() {
        StructType labels = new StructType().add("label", DataTypes.IntegerType);
        Dataset<Row> df = SPARK.session().createDataFrame(List.of(RowFactory.create(1), RowFactory.create(7),
                RowFactory.create((Object) null)), labels).coalesce(1);
        LabelConditioning skip = new LabelConditioning(3).setHandleInvalid("skip")
                .setEmbeddings(new float[] {0, 0, 1, 1, 2, 2}, 2);
        List<Row> out = skip.transform(df).collectAsList();
        assertEquals(1, out.size());
        assertEquals(List.of(1f, 1f), out.get(0).getList(1));
        assertEquals(2, skip.invalidRows());
        SparkException e = assertThrows(SparkException.class, () -> new LabelConditioning(3).transform(df).collectAsList());
        assertTrue(e.getMessage().contains("label = 7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabelConditioning(3).setEmbeddings(new float[5], 2));
    }

    @Test
    void schemaErrorsNameTheColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DecodeImages().setSize(8).setInputCol("img").transformSchema(BYTES));
        assertTrue(e.getMessage().contains("inputCol") && e.getMessage().contains("img"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DecodeImages().setSize(8).setInputCol("id").transformSchema(BYTES));
        assertTrue(e.getMessage().contains("id") && e.getMessage().contains("bigint"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DecodeImages().transformSchema(BYTES));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NormalizeImages().setInputCol("image").transformSchema(BYTES));
        assertTrue(e.getMessage().contains("inputCol") && e.getMessage().contains("binary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DecodeImages().setSize(8).setOutputCol("id").transformSchema(BYTES));
        assertTrue(e.getMessage().contains("id") && e.getMessage().contains("already exists"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DecodeImages().setHandleInvalid("drop"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new ResizeImages().setSize(4).setInputCol("image").transformSchema(BYTES));
        assertTrue(e.getMessage().contains("ResizeImages") && e.getMessage().contains("image"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RandomDiffusionStepsTransformer(
                DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 100)).setKeyCol("key").transformSchema(
                SparkFixtures.SCHEMA));
        assertTrue(e.getMessage().contains("keyCol") && e.getMessage().contains("key"), e.getMessage());
    }

    @Test
    void diffusionStepsAreSeededBySeedEpochAndRow() {
        DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 100);
        List<ImageRow> images = SparkFixtures.rows(6, 3, 0, false);
        Dataset<Row> one = SparkFixtures.frame(SPARK.session(), List.of(images));
        Dataset<Row> three = SparkFixtures.frame(SPARK.session(), List.of(images.subList(0, 1), images.subList(1, 4),
                images.subList(4, 6)));
        RandomDiffusionStepsTransformer steps = new RandomDiffusionStepsTransformer(schedule).setSeed(5).setEpoch(2);
        List<Row> a = steps.transform(one).collectAsList();
        List<Row> b = steps.transform(three).collectAsList();
        assertEquals(a, b, "rows keyed by global index: same draws in 1 or 3 partitions");
        assertEquals(a, steps.transform(three).collectAsList(), "re-executed");
        List<Row> other = steps.setEpoch(3).transform(one).collectAsList();
        assertNotEquals(a.get(0).getList(3), other.get(0).getList(3));
        for (Row r : a) {
            int t = r.getInt(2);
            assertTrue(t >= 0 && t < 100);
            double s = Math.sqrt(schedule.value(Coefficient.ALPHAS_CUMPROD, t));
            float x = (Float) r.getList(0).get(5);
            float n = (Float) r.getList(3).get(5);
            assertEquals(s * x + Math.sqrt(1 - s * s) * n, (Float) r.getList(4).get(5), 1e-5);
        }
    }
}
