package org.diffusionlabs.jobs;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.OptimizerSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.spark.DiffusionModel;
import org.diffusionlabs.spark.DiffusionTrainer;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainingGraph;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code diffusion sample --master}: a Parquet file of conditions to a Parquet file of PNGs, from a run's checkpoint or
 * from a saved model (here one conditioned on vectors).
 */
class SparkSampleCommandTest {
    private static final List<String> SMALL = List.of("model.num_resize=0", "model.time_embed_dim=16",
            "model.cond_embed_dim=32", "model.embed_dim=8", "model.depth=32", "data.image_size=8", "train.batch=4");

    @TempDir
    Path dir;

    /** A run directory holding one checkpoint of freshly initialised weights (no training needed to sample). */
    private Path run() throws IOException {
        TrainRecipe recipe = new TrainRecipe(JobConfigs.load("mnist.conf", null, SMALL));
        TrainingSpec spec = recipe.training();
        TrainingSpec.Built b = spec.build();
        Path run = dir.resolve("run");
        new CheckpointStore(new LocalStorage(run.resolve("checkpoints")), 1).save(TrainingCheckpoint.capture(b.step(),
                b.ema(), new Trainer.State(0, DataCursor.start(1, 1), spec.seed(), 0), recipe.json(), Map.of()));
        return run;
    }

    @Test
    void conditionsParquetToPngParquet() throws IOException {
        Path run = run();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("test")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                rows.add(RowFactory.create(i % 10, (long) i));
            }
            StructType schema = new StructType().add("label", DataTypes.IntegerType).add("id", DataTypes.LongType);
            String conds = dir.resolve("conds.parquet").toString();
            spark.createDataFrame(rows, schema).repartition(3).write().parquet(conds);
            String out = dir.resolve("out.parquet").toString();
            Cli.Result r = Cli.run("sample", "--master", "local[2]", "--checkpoint", run.toString(), "--conditions",
                    conds, "--out", out, "--key-col", "id", "--steps", "2", "--batch", "2", "--raw");
            assertEquals(0, r.code(), r::toString);
            List<Row> got = spark.read().parquet(out).orderBy("id").collectAsList();
            assertEquals(6, got.size());
            BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) got.get(0).getAs("image_png")));
            assertEquals(8, img.getWidth());
            assertEquals(64, got.get(0).getList(got.get(0).fieldIndex("image")).size());

            String again = dir.resolve("again.parquet").toString();
            spark.read().parquet(conds).coalesce(1).write().parquet(dir.resolve("one.parquet").toString());
            Cli.Result r2 = Cli.run("sample", "--master", "local[2]", "--checkpoint", run.toString(), "--conditions",
                    dir.resolve("one.parquet").toString(), "--out", again, "--key-col", "id", "--steps", "2",
                    "--batch", "2");
            assertEquals(0, r2.code(), r2::toString);
            List<Row> got2 = spark.read().parquet(again).orderBy("id").collectAsList();
            for (int i = 0; i < 6; i++) {
                assertArrayEquals((byte[]) got.get(i).getAs("image_png"), (byte[]) got2.get(i).getAs("image_png"), "row " + i);
            }

            Cli.Result bad = Cli.run("sample", "--master", "local[2]", "--checkpoint", run.toString(), "--conditions",
                    conds, "--out", dir.resolve("bad.parquet").toString(), "--label-col", "digit");
            assertEquals(1, bad.code(), bad::toString);
            assertTrue(bad.err().contains("labelCol") && bad.err().contains("digit"), bad.err());
            Cli.Result noMaster = Cli.run("sample", "--checkpoint", run.toString(), "--conditions", conds, "--out", "x");
            assertEquals(2, noMaster.code(), noMaster::toString);
        } finally {
            spark.stop();
        }
    }

    /** A model conditioned on vectors, trained one step on Spark and saved as a notebook would save it. */
    private static DiffusionModel vectorModel(SparkSession spark, String path) throws IOException {
        AdmUNetConfig unet = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 0, 1);
        ModelSpec model = new ModelSpec(unet, BetaScheduleKind.LINEAR, 100, PredictionType.NOISE,
                TrainingGraph.Loss.HYBRID, 0.001, 0.2, 2.0, 0);
        TrainingSpec spec = new TrainingSpec(model, OptimizerSpec.sgd(), LearningRateSchedule.constant(0.01), null, 2, 1, 3);
        Rng rng = new Rng(4);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(RowFactory.create(boxed(rng.uniformFloats(64)), boxed(rng.normalFloats(8))));
        }
        StructType schema = new StructType().add("image", DataTypes.createArrayType(DataTypes.FloatType))
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(8).setMaxSteps(1)
                .fit(spark.createDataFrame(rows, schema)).setSteps(2).setBatchSize(2);
        m.write().overwrite().save(path);
        return m;
    }

    private static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    @Test
    void aSavedModelConditionedOnVectorsSamplesFromTheCommandLine() throws IOException {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("test")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            String saved = dir.resolve("model").toString();
            DiffusionModel m = vectorModel(spark, saved);
            Rng rng = new Rng(9);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                rows.add(RowFactory.create((long) i, boxed(rng.normalFloats(8))));
            }
            StructType schema = new StructType().add("id", DataTypes.LongType)
                    .add("clip", DataTypes.createArrayType(DataTypes.FloatType));
            String conds = dir.resolve("vectors.parquet").toString();
            spark.createDataFrame(rows, schema).repartition(2).write().parquet(conds);
            String out = dir.resolve("vector-out.parquet").toString();
            Cli.Result r = Cli.run("sample", "--master", "local[2]", "--model", saved, "--conditions", conds, "--out", out,
                    "--key-col", "id", "--embedding-col", "clip");
            assertEquals(0, r.code(), r::toString);
            List<Row> got = spark.read().parquet(out).orderBy("id").collectAsList();
            List<Row> want = m.setKeyCol("id").setEmbeddingCol("clip").transform(spark.read().parquet(conds))
                    .orderBy("id").collectAsList();
            assertEquals(5, got.size());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals((byte[]) want.get(i).getAs("image_png"), (byte[]) got.get(i).getAs("image_png"), "row " + i);
            }

            Cli.Result noColumn = Cli.run("sample", "--master", "local[2]", "--model", saved, "--conditions", conds,
                    "--out", dir.resolve("x.parquet").toString());
            assertEquals(1, noColumn.code(), noColumn::toString);
            assertTrue(noColumn.err().contains("embeddingCol") && noColumn.err().contains("vectors of 8"), noColumn.err());
            Cli.Result both = Cli.run("sample", "--master", "local[2]", "--model", saved, "--checkpoint", saved,
                    "--conditions", conds, "--out", "x");
            assertEquals(2, both.code(), both::toString);
            Cli.Result noMaster = Cli.run("sample", "--model", saved, "--conditions", conds, "--out", "x");
            assertEquals(2, noMaster.code(), noMaster::toString);
            assertTrue(noMaster.err().contains("--master"), noMaster.err());
        } finally {
            spark.stop();
        }
    }
}
