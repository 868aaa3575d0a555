package org.diffusionlabs.jobs;

import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.spark.NormalizeImages;
import org.diffusionlabs.spark.RandomDiffusionStepsTransformer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every executor entry point on a standalone cluster whose executor has 2 cores (issue 14): one Worker with 2 cores on
 * loopback ({@link LoopbackSparkCluster}), {@code spark.executor.cores=2}, and 2 partitions, so two tasks run at once
 * in one fresh executor JVM ({@link TaskOverlap} proves it) and the per-task native thread settings apply before
 * anything else has touched ND4J there. Three applications, each with its own fresh executor: {@code train --master}
 * (the {@code DiffusionTrainer} estimator), {@code sample --master} from that run ({@code DiffusionModel.transform}),
 * and the DataFrame transforms {@code NormalizeImages} + {@code RandomDiffusionStepsTransformer}. The 1-core
 * workers of {@link StandaloneClusterFaultTest} never apply those settings, which is how a task failing with
 * "ND4J is probably missing dependencies" on every multi-core executor went unseen. Slow: 60–90 s.
 */
@Tag("slow")
class StandaloneClusterTwoCoreTest {
    /** The tiny model on 8×8 images, 2 partitions, 2 rounds of 2 steps. */
    private static final String[] TRAIN = TinyTrainArgs.tiny().toArray("--partitions", "2", "--averaging-frequency",
            "2", "--max-steps", "4");
    private static final int SIZE = 8;

    @TempDir
    Path dir;

    @Test
    void trainingSamplingAndTransformsRunTwoTasksAtOnceInAnExecutor() throws Exception {
        try (LoopbackSparkCluster cluster = new LoopbackSparkCluster(dir.resolve("cluster"), 1, 2, "3g")) {
            List<String[]> conf = new ArrayList<>(cluster.driverConf());
            conf.add(new String[] {"spark.extraListeners", TaskOverlap.class.getName()});
            conf.forEach(kv -> System.setProperty(kv[0], kv[1]));
            try {
                Path run = dir.resolve("run");
                TaskOverlap.reset();
                List<String> train = new ArrayList<>(List.of("train", "--out", run.toString(), "--master",
                        cluster.masterUrl()));
                train.addAll(List.of(TRAIN));
                Cli.Result trained = cli(cluster, train.toArray(String[]::new));
                assertEquals(4, Files.readAllLines(run.resolve("metrics.jsonl")).size(), trained::toString);
                assertEquals(2, TaskOverlap.most(), "training: tasks at once in the executor");

                String conditions = dir.resolve("conditions.parquet").toString();
                TaskOverlap.reset();
                transformOnTheCluster(cluster, conditions);
                assertEquals(2, TaskOverlap.most(), "transforms: tasks at once in the executor");

                String out = dir.resolve("samples.parquet").toString();
                TaskOverlap.reset();
                cli(cluster, "sample", "--master", cluster.masterUrl(), "--checkpoint", run.toString(), "--conditions",
                        conditions, "--out", out, "--key-col", "id", "--steps", "2", "--batch", "2");
                assertEquals(2, TaskOverlap.most(), "sampling: tasks at once in the executor");
                assertEquals(4, rows(Path.of(out)), "one sample per condition row");
            } finally {
                conf.forEach(kv -> System.clearProperty(kv[0]));
            }
        }
    }

    /**
     * NormalizeImages then RandomDiffusionSteps over 4 rows in 2 partitions, collected and checked; also writes the
     * 4 label conditions (2 files) that {@code sample} reads. Its own application, stopped at the end.
     */
    private static void transformOnTheCluster(LoopbackSparkCluster cluster, String conditions) {
        SparkSession spark = SparkSession.builder().master(cluster.masterUrl()).appName("transforms").getOrCreate();
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Float[] pixels = new Float[SIZE * SIZE];
                Arrays.fill(pixels, i / 4f);
                rows.add(RowFactory.create((long) i, i % 10, pixels));
            }
            StructType schema = new StructType().add("id", DataTypes.LongType).add("label", DataTypes.IntegerType)
                    .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false));
            Dataset<Row> frame = spark.createDataFrame(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2), schema);
            Dataset<Row> images = new NormalizeImages().setLength(SIZE * SIZE).transform(frame);
            Dataset<Row> noised = new RandomDiffusionStepsTransformer(DiscreteGaussianSchedule.of(
                    BetaScheduleKind.LINEAR, 100)).setKeyCol("id").setSeed(3).transform(images);
            List<Row> got = noised.collectAsList();
            assertEquals(4, got.size());
            for (Row r : got) {
                assertEquals(SIZE * SIZE, r.getList(r.fieldIndex("xt")).size(), r::toString);
                int t = r.getInt(r.fieldIndex("t"));
                assertTrue(t >= 0 && t < 100, "t = " + t);
            }
            frame.select("id", "label").write().parquet(conditions);
        } finally {
            spark.stop();
        }
    }

    /** Rows in the Parquet files of a directory Spark wrote. */
    private static long rows(Path parquetDir) throws IOException {
        long n = 0;
        try (var files = Files.list(parquetDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(f.toUri()), HadoopFiles.conf()))) {
                    n += r.getRecordCount();
                }
            }
        }
        return n;
    }

    /** Runs the command line, failing with the cluster's logs unless it exits 0. */
    private static Cli.Result cli(LoopbackSparkCluster cluster, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.code(), () -> r + cluster.logTails());
        return r;
    }
}
