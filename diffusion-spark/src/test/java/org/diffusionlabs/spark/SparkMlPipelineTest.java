package org.diffusionlabs.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stages under Spark ML's own machinery: a {@link Pipeline} of DecodeImages → ResizeImages → NormalizeImages →
 * DiffusionTrainer fits, saves and loads as a {@link PipelineModel} that samples the same PNG bytes; {@link ParamMap}
 * overrides reach fit and transform; every transform reads back what it wrote (Spark's read/write contract).
 */
class SparkMlPipelineTest {
    private static final StructType PNGS = new StructType().add("id", DataTypes.LongType, false)
            .add("png", DataTypes.BinaryType, false).add("label", DataTypes.IntegerType, false);
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);

    @TempDir
    Path dir;

    /** {@code n} random 16×16 grey PNGs with ids and labels i mod 10, in two partitions. */
    private static Dataset<Row> pngs(int n) throws IOException {
        Rng rng = new Rng(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
            float[] v = rng.uniformFloats(256);
            for (int p = 0; p < 256; p++) {
                img.getRaster().setSample(p % 16, p / 16, 0, (int) (v[p] * 255));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            rows.add(RowFactory.create((long) i, out.toByteArray(), i % 10));
        }
        return SPARK.session().createDataFrame(rows, PNGS).repartition(2);
    }

    private static List<byte[]> samples(Dataset<Row> out) {
        List<Row> rows = new ArrayList<>(out.select("id", "image_png").collectAsList());
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        List<byte[]> list = new ArrayList<>();
        rows.forEach(r -> list.add(r.getAs(1)));
        return list;
    }

    private static DiffusionTrainer trainer() {
        return new DiffusionTrainer(SparkFixtures.adamW(4, 1, 10)).setImageSize(SIZE).setMaxSteps(2)
                .setAveragingFrequency(1).setKeyCol("id").setSampler("ddpm").setSteps(3).setSeed(5).setBatchSize(4);
    }

    private static Pipeline pipeline(DiffusionTrainer trainer) {
        return new Pipeline().setStages(new PipelineStage[] {
                new DecodeImages().setInputCol("png").setOutputCol("pixels").setSize(16),
                new ResizeImages().setInputCol("pixels").setOutputCol("small").setSize(SIZE),
                new NormalizeImages().setInputCol("small").setOutputCol("image").setLength(SIZE * SIZE),
                trainer});
    }

    @Test
    void pipelineFitsSavesLoadsAndSamplesTheSameBytes() throws IOException {
        Dataset<Row> data = pngs(6).cache();
        PipelineModel fitted = pipeline(trainer()).fit(data);
        DiffusionModel model = assertInstanceOf(DiffusionModel.class, fitted.stages()[3]);
        assertEquals(2, model.step());
        assertEquals("ddpm", model.getSampler(), "sampling params pass from the trainer to its model");
        List<byte[]> before = samples(fitted.transform(data));
        assertEquals(6, before.size());

        String path = dir.resolve("pipeline").toUri().toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertEquals(List.of(DecodeImages.class, ResizeImages.class, NormalizeImages.class, DiffusionModel.class),
                List.of(loaded.stages()).stream().map(Object::getClass).toList());
        for (int i = 0; i < 4; i++) {
            assertEquals(fitted.stages()[i].uid(), loaded.stages()[i].uid());
            assertSameParams(fitted.stages()[i], loaded.stages()[i]);
        }
        List<byte[]> after = samples(loaded.transform(data));
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i), "row " + i);
        }
    }

    @Test
    void paramMapsOverrideFitAndTransform() throws IOException {
        Dataset<Row> data = pngs(4).cache();
        DiffusionTrainer trainer = trainer();
        PipelineModel fitted = pipeline(trainer).fit(data, new ParamMap().put(trainer.maxSteps(), 1L));
        DiffusionModel model = (DiffusionModel) fitted.stages()[3];
        assertEquals(1, model.step());
        assertEquals(trainer.uid(), model.uid(), "the model shares its trainer's uid, so the trainer's params key it");
        assertEquals(2L, trainer.getMaxSteps(), "fit(df, paramMap) leaves the trainer as it was");

        List<byte[]> seed5 = samples(fitted.transform(data));
        List<byte[]> seed6 = samples(fitted.transform(data, new ParamMap().put(trainer.seed(), 6L)));
        List<byte[]> direct = samples(model.copy(ParamMap.empty()).setSeed(6).transform(data));
        assertFalse(java.util.Arrays.equals(seed5.get(0), seed6.get(0)));
        for (int i = 0; i < seed6.size(); i++) {
            assertArrayEquals(direct.get(i), seed6.get(i), "row " + i);
        }
        assertEquals(5L, model.getSeed(), "transform(df, paramMap) leaves the model as it was");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParamMap().put(trainer.steps(), 0));
        assertTrue(e.getMessage().contains("DiffusionTrainer parameter steps given invalid value 0"), e.getMessage());
    }

    @Test
    void explainParamsListsTheParams() {
        String trainer = trainer().explainParams();
        for (String p : List.of("imageCol", "imageSize", "maxSteps", "averagingFrequency", "numPartitions", "labelCol",
                "keyCol", "sampler", "steps", "guidance", "seed", "batchSize", "sampleWeights")) {
            assertTrue(trainer.contains(p + ":"), p + " in\n" + trainer);
        }
        String decode = new DecodeImages().setSize(8).explainParams();
        for (String p : List.of("inputCol", "outputCol", "channels", "size", "resize", "handleInvalid")) {
            assertTrue(decode.contains(p + ":"), p + " in\n" + decode);
        }
        assertTrue(decode.contains("current: 8"), decode);
    }

    @Test
    void transformsReadBackWhatTheyWrote() throws IOException {
        List<Transformer> stages = List.of(
                new DecodeImages().setSize(12).setChannels(3).setResize(false).setHandleInvalid("skip"),
                new ResizeImages().setSize(4).setInputCol("a").setOutputCol("b"),
                new NormalizeImages().setLength(64).setHandleInvalid("keep"),
                new LabelConditioning(3).setEmbeddings(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 1e-7f}, 2),
                new RandomDiffusionStepsTransformer(DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, 50))
                        .setKeyCol("id").setSeed(9).setEpoch(2));
        for (Transformer t : stages) {
            String path = dir.resolve(t.uid()).toUri().toString();
            ((org.apache.spark.ml.util.MLWritable) t).write().save(path);
            Transformer back;
            try {
                back = (Transformer) t.getClass().getMethod("load", String.class).invoke(null, path);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            assertEquals(t.getClass(), back.getClass());
            assertEquals(t.uid(), back.uid());
            assertSameParams(t, back);
            assertSameParams(t, t.copy(ParamMap.empty()));
        }
    }

    /** Same params set and defaulted, with the same values (compared as their JSON). */
    @SuppressWarnings("unchecked")
    private static void assertSameParams(Params want, Params got) {
        assertEquals(want.params().length, got.params().length);
        for (Param<?> p : want.params()) {
            Param<Object> a = (Param<Object>) p;
            Param<Object> b = (Param<Object>) got.getParam(p.name());
            assertEquals(want.isSet(a), got.isSet(b), p.name());
            assertEquals(want.isDefined(a), got.isDefined(b), p.name());
            if (want.isDefined(a)) {
                assertEquals(a.jsonEncode(want.getOrDefault(a)), b.jsonEncode(got.getOrDefault(b)), p.name());
            }
        }
    }
}
