package org.diffusionlabs.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * spark-submit of the assembly jar to a {@link LoopbackSparkCluster}, two ways: {@link #direct} runs
 * {@code org.apache.spark.deploy.SparkSubmit} on the Spark jars with every flag written out (what a user of a Spark
 * distribution's {@code bin/spark-submit} types), {@link #launcher} runs {@code bin/diffusion-submit}, which adds
 * the JVM flags itself. Each submit's output goes to {@code logs/NAME.log}, quoted when it fails.
 */
final class Submit {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private final LoopbackSparkCluster cluster;
    private final Path jar;
    private final String sparkClasspath;
    private final Path logs;

    /** What one submit did: SparkSubmit's exit code and output. */
    record Result(String name, int code, String log, LoopbackSparkCluster cluster) {
        void assertOk() {
            assertEquals(0, code, () -> name + ": SparkSubmit exited " + code + "\n" + log + cluster.logTails());
        }
    }

    Submit(LoopbackSparkCluster cluster, Path jar, Path sparkClasspathFile, Path logs) throws IOException {
        this.cluster = cluster;
        this.jar = jar;
        this.sparkClasspath = Files.readString(sparkClasspathFile).trim();
        this.logs = Files.createDirectories(logs);
    }

    /** SparkSubmit itself, on the Spark jars, with the project's JVM flags given by hand. */
    Result direct(String name, String deployMode, List<String> app) throws IOException, InterruptedException {
        String opens = String.join(" ", cluster.jvmOptions());
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g"));
        cmd.addAll(cluster.jvmOptions());
        cmd.addAll(List.of("-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
                "--class", "org.diffusionlabs.jobs.cli.Main",
                "--conf", "spark.driver.extraJavaOptions=" + opens,
                "--conf", "spark.executor.extraJavaOptions=" + opens));
        cmd.addAll(common(deployMode));
        cmd.add(jar.toString());
        cmd.addAll(app);
        return run(name, cmd);
    }

    /** {@code bin/diffusion-submit [options] -- app}, with the assembly jar named by DIFFUSION_SUBMIT_JAR. */
    Result launcher(String name, String deployMode, List<String> app) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/diffusion-submit").toString()));
        cmd.addAll(common(deployMode));
        cmd.add("--");
        cmd.addAll(app);
        return run(name, cmd);
    }

    /** Master, deploy mode and the resources of the issue: 2-core executors, 1 GB heaps, loopback addresses. */
    private List<String> common(String deployMode) {
        return List.of("--master", cluster.masterUrl(), "--deploy-mode", deployMode,
                "--driver-memory", "1g", "--executor-memory", "1g",
                "--conf", "spark.executor.cores=2",
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false");
    }

    private Result run(String name, List<String> cmd) throws IOException, InterruptedException {
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("DIFFUSION_SUBMIT_JAR", jar.toString());
        pb.environment().put("JAVA_OPTS", "-Xmx1g");
        pb.environment().put("DIFFUSION_MAX_PHYSICAL_BYTES", "4G");
        pb.environment().put("OMP_NUM_THREADS", "2");
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        // for the stage's report (docs/submit.md), not a check
        System.out.printf("%s: SparkSubmit exited %d after %d s%n", name, p.exitValue(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        return new Result(name, p.exitValue(), "--- " + String.join(" ", cmd) + "\n" + Files.readString(log),
                cluster);
    }
}
