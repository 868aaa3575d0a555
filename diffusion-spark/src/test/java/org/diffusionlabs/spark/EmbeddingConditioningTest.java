package org.diffusionlabs.spark;

import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.recipes.OptimizerSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.diffusionlabs.spark.SparkFixtures.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conditioning on given vectors (a spec with no classes): the {@link EmbeddingConditioning} transform, training from
 * an embedding column (one partition replays the single-machine trainer bit for bit), sampling one image per
 * condition vector (reproducible per key, and the vector matters), and the errors that name the column.
 */
class EmbeddingConditioningTest {
    private static final int DIM = 8;
    private static final StructType SCHEMA = new StructType()
            .add("image", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("embedding", DataTypes.createArrayType(DataTypes.DoubleType, false), true);
    // local[1]: one task at a time keeps the JVM's native thread settings, as the single machine runs
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(1);

    @TempDir
    Path dir;

    private static TrainingSpec spec() {
        return new TrainingSpec(SparkFixtures.vectorModel(0.1, 0.3),
                new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 0.9, 0.999, 1e-8, 0.01, 1.0),
                new LearningRateSchedule(1e-3, 2, LearningRateSchedule.Decay.COSINE, 4, 0.1),
                new TrainingSpec.EmaSpec(0.9, true), 4, 1, 7);
    }

    /** {@code n} random images in [−1, 1], each with a random condition vector of {@link #DIM} values. */
    private static List<ImageRow> rows(int n, long seed) {
        Rng r = new Rng(seed);
        List<ImageRow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = r.uniformFloats(SIZE * SIZE);
            for (int j = 0; j < px.length; j++) {
                px[j] = px[j] * 2 - 1;
            }
            out.add(new ImageRow(px, r.normalFloats(DIM)));
        }
        return out;
    }

    private static Dataset<Row> frame(List<ImageRow> data) {
        List<Row> rows = new ArrayList<>();
        for (ImageRow r : data) {
            Double[] e = new Double[r.embedding().length];
            for (int i = 0; i < e.length; i++) {
                e[i] = (double) r.embedding()[i];
            }
            rows.add(RowFactory.create(RowTransformer.boxed(r.pixels()), e));
        }
        return SPARK.session().createDataFrame(JavaSparkContext.fromSparkContext(SPARK.session().sparkContext()).parallelize(rows, 1), SCHEMA);
    }

    /** Condition rows (key, embedding as array<float>). */
    private static Dataset<Row> conditions(float[][] vectors, long[] keys, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            rows.add(RowFactory.create(keys[i], RowTransformer.boxed(vectors[i])));
        }
        StructType schema = new StructType().add("key", DataTypes.LongType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return SPARK.session().createDataFrame(JavaSparkContext.fromSparkContext(SPARK.session().sparkContext())
                .parallelize(rows, partitions), schema);
    }

    @Test
    void onePartitionOfVectorsEqualsTheSingleMachineTrainerAndSamplingFollowsTheVector() {
        TrainingSpec spec = spec();
        List<ImageRow> data = rows(10, 3);
        TrainingSpec.Built single = spec.build();
        assertEquals(null, single.model().encoder(), "a model conditioned on vectors has no label encoder");
        LabeledImages set = ImageRows.stack(data.iterator(), 1, SIZE, spec.model());
        spec.trainer(single, set, 4).run(Trainer.State.start(spec.seed(), data.size()), 4, Long.MAX_VALUE, 0,
                Trainer.Listener.NONE);

        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(4)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(2)).fit(frame(data));
        assertEquals(4, m.step());
        assertBitEqual(single.step().graph().trainables(), m.weights(), "weights");
        assertFalse(m.weights().containsKey(LabelEmbedding.NAME));

        float[][] v = {data.get(0).embedding(), data.get(1).embedding(), data.get(0).embedding()};
        DiffusionModel sampler = m.setSteps(3).setBatchSize(2).setKeyCol("key").setRawCol("raw");
        List<Row> a = sampler.transform(conditions(v, new long[] {5, 5, 6}, 1)).orderBy("key").collectAsList();
        List<Row> b = sampler.transform(conditions(new float[][] {v[0]}, new long[] {5}, 1)).collectAsList();
        assertEquals(3, a.size());
        byte[] first = a.get(0).getAs("image_png");
        byte[] again = b.get(0).getAs("image_png");
        assertArrayEquals(first, again, "same vector and key: same PNG, whatever shares its batch");
        assertFalse(Arrays.equals(raw(findVector(a, v[0], 5)), raw(findVector(a, v[0], 6))),
                "the same vector with another key gives another image");
        assertFalse(Arrays.equals(raw(findVector(a, v[1], 5)), raw(findVector(a, v[0], 5))),
                "the same key with another vector gives another image");
    }

    private static Row findVector(List<Row> rows, float[] vector, long key) {
        for (Row r : rows) {
            List<Float> e = r.getList(r.fieldIndex("embedding"));
            float[] f = new float[e.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = e.get(i);
            }
            if (r.getLong(0) == key && Arrays.equals(f, vector)) {
                return r;
            }
        }
        throw new AssertionError("no row with key " + key);
    }

    private static List<Row> byId(List<Row> rows) {
        return rows.stream().sorted(java.util.Comparator.comparingLong(r -> r.getLong(0))).toList();
    }

    private static float[] raw(Row r) {
        List<Float> v = r.getList(r.fieldIndex("raw"));
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.get(i);
        }
        return f;
    }

    @Test
    void errorsNameTheEmbeddingColumnAndTheRow() {
        DiffusionTrainer t = new DiffusionTrainer(spec()).setImageSize(SIZE).setMaxSteps(1);
        Dataset<Row> labelled = SparkFixtures.frame(SPARK.session(), List.of(SparkFixtures.rows(4, 1, 0, false)));
        String missing = assertThrows(IllegalArgumentException.class, () -> t.fit(labelled)).getMessage();
        assertTrue(missing.contains("embeddingCol") && missing.contains("embedding") && missing.contains("no such column"),
                missing);

        List<ImageRow> narrow = new ArrayList<>(rows(3, 4));
        narrow.set(2, new ImageRow(narrow.get(2).pixels(), new float[DIM - 1]));
        SparkException e = assertThrows(SparkException.class, () -> t.fit(frame(narrow)));
        assertTrue(String.valueOf(e.getMessage()).contains("7 values in embedding")
                && e.getMessage().contains("vectors of 8"), e.getMessage());

        List<ImageRow> nan = new ArrayList<>(rows(3, 4));
        float[] bad = new float[DIM];
        bad[3] = Float.NaN;
        nan.set(1, new ImageRow(nan.get(1).pixels(), bad));
        SparkException n = assertThrows(SparkException.class, () -> t.fit(frame(nan)));
        assertTrue(n.getMessage().contains("embedding value 3 = NaN"), n.getMessage());
    }

    @Test
    void embeddingConditioningCastsChecksAndNormalizes() throws Exception {
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("clip", SQLDataTypes.VectorType(), true);
        List<Row> rows = List.of(RowFactory.create(0L, Vectors.dense(3, 4)), RowFactory.create(1L, Vectors.dense(1, 2, 3)),
                RowFactory.create(2L, (Object) null), RowFactory.create(3L, Vectors.dense(0, 0)),
                RowFactory.create(4L, Vectors.dense(Double.NaN, 1)), RowFactory.create(5L, Vectors.dense(1e300, 1)));
        Dataset<Row> df = SPARK.session().createDataFrame(rows, schema);
        EmbeddingConditioning plain = new EmbeddingConditioning(2).setInputCol("clip").setHandleInvalid("skip");
        List<Row> kept = byId(plain.transform(df).collectAsList());
        assertEquals(List.of(0L, 3L), kept.stream().map(r -> r.getLong(0)).toList(), "null, NaN, 1e300 and 3 values skipped");
        assertEquals(List.of(3f, 4f), kept.get(0).getList(2));
        assertEquals(4, plain.invalidRows());

        EmbeddingConditioning unit = new EmbeddingConditioning(2).setInputCol("clip").setNormalize(true)
                .setHandleInvalid("skip");
        List<Row> normed = byId(unit.transform(df).collectAsList());
        assertEquals(List.of(0L), normed.stream().map(r -> r.getLong(0)).toList(), "a zero vector cannot be normalized");
        assertEquals(List.of(0.6f, 0.8f), normed.get(0).getList(2));

        SparkException err = assertThrows(SparkException.class, () -> new EmbeddingConditioning(2).setInputCol("clip")
                .transform(df).collectAsList());
        assertTrue(err.getMessage().contains("clip has 3 values, expected 2"), err.getMessage());
        String type = assertThrows(IllegalArgumentException.class, () -> new EmbeddingConditioning(2)
                .setInputCol("id").transformSchema(schema)).getMessage();
        assertTrue(type.contains("inputCol") && type.contains("bigint") && type.contains("vector"), type);
        String dim = assertThrows(IllegalArgumentException.class, () -> new EmbeddingConditioning("x")
                .setInputCol("clip").transformSchema(schema)).getMessage();
        assertTrue(dim.contains("dim") && dim.contains("setDim"), dim);

        String path = dir.resolve("pipeline").toString();
        new Pipeline().setStages(new PipelineStage[] {unit}).fit(df).write().overwrite().save(path);
        List<Row> loaded = byId(PipelineModel.load(path).transform(df).collectAsList());
        assertEquals(normed, loaded, "the saved stage transforms alike");
    }
}
