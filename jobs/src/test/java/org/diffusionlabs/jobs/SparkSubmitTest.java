package org.diffusionlabs.jobs;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.jobs.data.ParquetFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code -Passembly} jar submitted as users do (issue 14): Spark's own {@code SparkSubmit}, run from the Maven
 * Spark jars, to a standalone cluster that has nothing of this project on its class path
 * ({@link LoopbackSparkCluster#sparkOnly}: one 3-core Worker, 2-core executors), in client and in cluster deploy mode,
 * for {@code train} and for {@code sample --master}. Half the submits go through {@code bin/diffusion-submit}, half
 * call {@code SparkSubmit} directly with the flags written out ({@link Submit}). Client mode is judged by the
 * SparkSubmit JVM's exit code; cluster mode, whose driver runs inside the Worker, by the driver's final state at the
 * Master ({@link MasterState}): FINISHED means the driver JVM exited 0. Then the outputs: checkpoints and metrics of
 * both runs, and one decodable 8×8 PNG per condition row of both samplings.
 *
 * <p>Needs the assembly jar: {@code .ci/spark-submit} builds it and passes {@code -Ddiffusion.submit.jar=...};
 * without that property the test is skipped. Slow: 135–286 s measured on 2 busy cores.
 */
@Tag("slow")
class SparkSubmitTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String[] TRAIN = TinyTrainArgs.tiny().toArray("--partitions", "2", "--averaging-frequency",
            "2", "--max-steps", "4");

    @TempDir
    Path dir;

    @Test
    void trainAndSampleSubmittedInClientAndClusterMode() throws Exception {
        String jar = System.getProperty("diffusion.submit.jar", "");
        assumeTrue(!jar.isBlank(), "no -Ddiffusion.submit.jar: run .ci/spark-submit, which builds the assembly jar");
        Path sparkClasspath = ROOT.resolve("jobs/target/spark-classpath.txt");
        assertTrue(Files.isRegularFile(Path.of(jar)), "no assembly jar at " + jar);
        assertTrue(Files.isRegularFile(sparkClasspath), "no " + sparkClasspath + " (mvn package writes it)");
        List<Path> sparkJars = Stream.of(Files.readString(sparkClasspath).trim().split(":"))
                .map(Path::of).toList();
        Path conditions = ParquetFixtures.write(dir.resolve("conditions.parquet"),
                "message conditions { required int64 id; required int32 label; }",
                g -> g.append("id", 0L).append("label", 1), g -> g.append("id", 1L).append("label", 3),
                g -> g.append("id", 2L).append("label", 5), g -> g.append("id", 3L).append("label", 7));
        // 3 cores: a cluster-mode driver takes one, the 2-core executor the other two
        try (LoopbackSparkCluster cluster = LoopbackSparkCluster.sparkOnly(dir.resolve("cluster"), 3, "4g", sparkJars)) {
            Submit submit = new Submit(cluster, Path.of(jar), sparkClasspath, dir.resolve("submits"));
            MasterState master = new MasterState(cluster.masterUiPort());

            Path clientRun = dir.resolve("client-run");
            submit.direct("train-client", "client", args("train", "--out", clientRun.toString(), TRAIN)).assertOk();
            assertTrained(clientRun);

            Path clusterRun = dir.resolve("cluster-run");
            submit.launcher("train-cluster", "cluster", args("train", "--out", clusterRun.toString(), TRAIN))
                    .assertOk();
            master.awaitFinished(cluster);
            assertTrained(clusterRun);

            Path clientSamples = dir.resolve("client-samples.parquet");
            submit.launcher("sample-client", "client", sample(cluster, clientRun, conditions, clientSamples)).assertOk();
            assertPngs(clientSamples, 4);

            Path clusterSamples = dir.resolve("cluster-samples.parquet");
            submit.direct("sample-cluster", "cluster", sample(cluster, clusterRun, conditions, clusterSamples))
                    .assertOk();
            master.awaitFinished(cluster);
            assertPngs(clusterSamples, 4);
        }
    }

    private static List<String> sample(LoopbackSparkCluster cluster, Path run, Path conditions, Path out) {
        return List.of("sample", "--master", cluster.masterUrl(), "--checkpoint", run.toString(), "--conditions",
                conditions.toString(), "--out", out.toString(), "--key-col", "id", "--steps", "2", "--batch", "2");
    }

    private static List<String> args(String command, String flag, String value, String[] rest) {
        List<String> a = new ArrayList<>(List.of(command, flag, value));
        a.addAll(List.of(rest));
        return a;
    }

    /** 4 steps logged and the last checkpoint (step 4) written with its weights. */
    private static void assertTrained(Path run) throws IOException {
        assertEquals(4, Files.readAllLines(run.resolve("metrics.jsonl")).size(), run + "/metrics.jsonl");
        Path step4 = run.resolve("checkpoints").resolve(org.diffusionlabs.io.CheckpointStore.directory(4));
        assertTrue(Files.isDirectory(step4), "no checkpoint " + step4);
        try (Stream<Path> files = Files.list(step4)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors")),
                    "no weights in " + step4);
        }
    }

    /** {@code rows} rows in the Parquet directory, each with an 8×8 PNG in {@code image_png}. */
    private static void assertPngs(Path parquetDir, int rows) throws IOException {
        int n = 0;
        try (Stream<Path> files = Files.list(parquetDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(f.toUri()))
                        .withConf(HadoopFiles.conf()).build()) {
                    for (Group g = r.read(); g != null; g = r.read()) {
                        BufferedImage img = ImageIO.read(new ByteArrayInputStream(g.getBinary("image_png", 0)
                                .getBytes()));
                        assertNotNull(img, "row " + n + " of " + f + " is not a PNG");
                        assertEquals(8, img.getWidth());
                        assertEquals(8, img.getHeight());
                        n++;
                    }
                }
            }
        }
        assertEquals(rows, n, "sampled rows in " + parquetDir);
    }
}
