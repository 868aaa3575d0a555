package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DiffusionTrainer} is a value: its spec and checkpoint settings are params, it saves and loads alone and in a
 * {@link Pipeline} (and the loaded pipeline trains into the saved checkpoint location), every stage has Spark ML's
 * {@code (String uid)} constructor, and what cannot be saved (a store object) or read (a bad spec) is named.
 */
class DiffusionTrainerPersistenceTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(1);

    @TempDir
    Path dir;

    private DiffusionTrainer trainer() {
        return new DiffusionTrainer(SparkFixtures.adamW(4, 1, 10)).setImageSize(SIZE).setMaxSteps(2)
                .setAveragingFrequency(1).setCheckpointEveryRounds(7).setNumPartitions(1)
                .setCheckpointLocation(dir.resolve("checkpoints").toString()).setKeepLast(5).setResume(true)
                .setKeyCol("id").setSampler("ddpm").setSteps(3).setGuidance(0.5).setSeed(5).setBatchSize(4);
    }

    @Test
    void everyStageHasASparkMlUidConstructor() throws ReflectiveOperationException {
        for (Class<?> stage : List.of(DecodeImages.class, ResizeImages.class, NormalizeImages.class,
                LabelConditioning.class, EmbeddingConditioning.class, RandomDiffusionStepsTransformer.class,
                DiffusionTrainer.class)) {
            Params p = (Params) stage.getConstructor(String.class).newInstance("u1");
            assertEquals("u1", p.uid(), stage.getName());
        }
    }

    @Test
    void theTrainerSavesAndLoadsWithItsSpecAndCheckpointParams() throws IOException {
        DiffusionTrainer t = trainer();
        String path = dir.resolve("trainer").toUri().toString();
        t.write().save(path);
        DiffusionTrainer back = DiffusionTrainer.load(path);
        assertEquals(t.uid(), back.uid());
        assertEquals(t.spec(), back.spec());
        assertEquals(dir.resolve("checkpoints").toString(), back.getCheckpointLocation());
        assertEquals(5, back.getKeepLast());
        assertTrue(back.getResume());
        assertEquals(0.5, back.getGuidance());
        assertSameParams(t, back);
        assertSameParams(t, t.copy(new org.apache.spark.ml.param.ParamMap()));

        DiffusionTrainer plain = new DiffusionTrainer(SparkFixtures.sgd(2));
        plain.write().save(dir.resolve("plain").toString());
        DiffusionTrainer plainBack = DiffusionTrainer.load(dir.resolve("plain").toString());
        assertNull(plainBack.getCheckpointLocation());
        assertEquals(3, plainBack.getKeepLast());
        assertEquals(SparkFixtures.sgd(2).model().guidanceScale(), plainBack.getGuidance(), "the spec's guidance");
        assertSameParams(plain, plainBack);
    }

    @Test
    void aSavedPipelineLoadsAndTrainsIntoItsCheckpointLocation() throws IOException {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new NormalizeImages().setInputCol("pixels").setOutputCol("image").setLength(SIZE * SIZE), trainer()});
        String path = dir.resolve("pipeline").toUri().toString();
        pipeline.write().save(path);
        Pipeline loaded = Pipeline.load(path);
        DiffusionTrainer t = assertInstanceOf(DiffusionTrainer.class, loaded.getStages()[1]);
        assertSameParams((Params) pipeline.getStages()[1], t);

        Dataset<Row> data = SparkFixtures.frame(SPARK.session(), List.of(SparkFixtures.rows(4, 1, 0, false)))
                .withColumnRenamed("image", "raw");
        data = data.withColumn("pixels", org.apache.spark.sql.functions.transform(data.col("raw"),
                x -> x.plus(1).divide(2))).withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
        PipelineModel fitted = loaded.fit(data);
        assertEquals(2, assertInstanceOf(DiffusionModel.class, fitted.stages()[1]).step());
        CheckpointStore store = TrainingCheckpoint.store(new LocalStorage(dir.resolve("checkpoints")), 5);
        assertEquals(List.of(2L), store.steps(), "the end checkpoint, in the saved location");
    }

    @Test
    void aStoreObjectIsNotSavedSilently() {
        DiffusionTrainer t = trainer().setCheckpoints(new CheckpointStore(new LocalStorage(dir), 2), true);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::write);
        assertTrue(e.getMessage().contains("setCheckpointLocation"), e.getMessage());
    }

    @Test
    void theSpecIsRequiredAndReadAsData() throws IOException {
        DiffusionTrainer none = new DiffusionTrainer("u2").setImageSize(SIZE).setMaxSteps(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> none.transformSchema(SparkFixtures.SCHEMA));
        assertTrue(e.getMessage().contains("spec") && e.getMessage().contains("setSpec"), e.getMessage());

        Path saved = dir.resolve("tampered");
        trainer().write().save(saved.toString());
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(saved.resolve(StageMetadata.FILE).toFile());
        ((ObjectNode) meta.get("paramMap").get("spec")).put("batch", "four");
        Files.writeString(saved.resolve(StageMetadata.FILE), json.writeValueAsString(meta));
        e = assertThrows(IllegalArgumentException.class, () -> DiffusionTrainer.load(saved.toString()));
        assertTrue(e.getMessage().contains("param spec") && e.getMessage().contains("batch")
                && e.getMessage().contains("four"), e.getMessage());
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
