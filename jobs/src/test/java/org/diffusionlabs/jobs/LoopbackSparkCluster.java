package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.Main;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1 for tests: one Master and {@code workers} Worker JVMs started from
 * the test's own classpath (the Maven-resolved Spark jars, no Spark download), {@code cores} cores each, and
 * executors of as many cores ({@code spark.executor.cores}), so a 2-core cluster runs two tasks at once in one
 * executor JVM, as real clusters do. Workers launch
 * executors through Spark's launcher, which needs a {@code SPARK_HOME} with a {@code jars/} directory: an empty
 * one is made, and executors get the classpath through {@code spark.executor.extraClassPath} ({@link #driverConf}).
 * Logs go to {@code dir/*.log} and are quoted by {@link #logTails} when a test fails. {@link #close} stops every
 * JVM it started, executors included.
 */
final class LoopbackSparkCluster implements AutoCloseable {
    private static final Pattern ALIVE = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    private final Path dir;
    private final String classpath;
    private final List<String> jvmOptions;
    private final List<Process> processes = new ArrayList<>();
    private final int masterPort;
    private final int masterUiPort;
    private final int cores;
    private final Thread shutdownHook = new Thread(this::close, "loopback-spark-cluster-cleanup");

    LoopbackSparkCluster(Path dir, int workers, int cores, String workerMemory)
            throws IOException, InterruptedException {
        this(dir, workers, cores, workerMemory, null);
    }

    /**
     * A cluster that knows nothing of this project, as a real one: its {@code SPARK_HOME/jars} holds links to
     * {@code sparkJars} only (the Spark, Hadoop and Scala jars of {@code jobs/target/spark-classpath.txt}), the
     * Master and Workers run on that directory, and executors and cluster-mode drivers get nothing else, so an
     * application runs only from the jar spark-submit ships.
     */
    static LoopbackSparkCluster sparkOnly(Path dir, int cores, String workerMemory, List<Path> sparkJars)
            throws IOException, InterruptedException {
        return new LoopbackSparkCluster(dir, 1, cores, workerMemory, sparkJars);
    }

    private LoopbackSparkCluster(Path dir, int workers, int cores, String workerMemory, List<Path> sparkJars)
            throws IOException, InterruptedException {
        this.dir = dir;
        this.cores = cores;
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        if (sparkJars == null) {
            this.classpath = classpathJar(dir, testClasspath());
        } else {
            for (int i = 0; i < sparkJars.size(); i++) {
                // numbered: two artifacts may share a file name
                Files.createSymbolicLink(jars.resolve(i + "-" + sparkJars.get(i).getFileName()), sparkJars.get(i));
            }
            this.classpath = jars + File.separator + "*";
        }
        this.jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")
                        || a.equals("-XX:+IgnoreUnrecognizedVMOptions"))
                .toList();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        masterPort = freePort();
        masterUiPort = freePort();
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(masterPort), "--webui-port", String.valueOf(masterUiPort));
        for (int i = 0; i < workers; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            start("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                    String.valueOf(cores), "--memory", workerMemory, "--work-dir", work.toString(), "--webui-port",
                    String.valueOf(freePort()), masterUrl());
        }
        awaitWorkers(workers, Duration.ofSeconds(90));
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The Master's web UI port: {@code /json/} reports workers, applications and drivers with their states. */
    int masterUiPort() {
        return masterUiPort;
    }

    /** The JVM flags Spark needs on Java 17 (this test JVM's), as given to the cluster's JVMs. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** Driver settings for an application on this cluster (set as system properties before the SparkContext). */
    List<String[]> driverConf() {
        return List.of(
                new String[] {"spark.driver.host", "127.0.0.1"},
                new String[] {"spark.driver.bindAddress", "127.0.0.1"},
                new String[] {"spark.executor.extraClassPath", classpath},
                new String[] {"spark.executor.extraJavaOptions", String.join(" ", jvmOptions)},
                new String[] {"spark.executor.cores", String.valueOf(cores)},
                new String[] {"spark.executor.memory", "1g"},
                new String[] {"spark.ui.enabled", "false"});
    }

    /**
     * What a cluster-mode driver wrote to stderr (in its Worker's work directory), without Spark's INFO lines, for
     * failure messages.
     */
    String driverErrors(String driverId) {
        try (var found = Files.walk(dir)) {
            for (Path p : found.filter(f -> f.getFileName().toString().equals("stderr")
                    && f.getParent().getFileName().toString().equals(driverId)).toList()) {
                return Files.readAllLines(p).stream().filter(l -> !l.matches("^\\S+ \\S+ INFO .*"))
                        .collect(java.util.stream.Collectors.joining("\n", "\n--- " + dir.relativize(p) + "\n", "\n"));
            }
            return "\n(no stderr of " + driverId + ")";
        } catch (IOException e) {
            return "\n(driver log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The last lines of every log, for failure messages. */
    String logTails() {
        StringBuilder sb = new StringBuilder();
        try (var logs = Files.walk(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().equals("stderr")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                sb.append("\n--- ").append(dir.relativize(log)).append(" (last 15 lines)\n");
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
            }
        } catch (IOException e) {
            sb.append("(logs unreadable: ").append(e.getMessage()).append(")");
        }
        return sb.toString();
    }

    /**
     * A driver JVM running {@code bin/diffusion}'s {@link Main} with {@code args} against this cluster (the settings of
     * {@link #driverConf} as system properties), its output in {@code dir/<name>.log}. {@link #close} stops it too.
     */
    Process startDriver(String name, List<String> args) throws IOException {
        List<String> all = new ArrayList<>();
        driverConf().forEach(kv -> all.add("-D" + kv[0] + "=" + kv[1]));
        all.add(Main.class.getName());
        all.addAll(args);
        return launch(name, "-Xmx1g", all.toArray(String[]::new));
    }

    private Process start(String name, String mainClass, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(mainClass));
        all.addAll(List.of(args));
        return launch(name, "-Xmx512m", all.toArray(String[]::new));
    }

    /** Starts a JVM with {@code heap} and the test's options and classpath; {@code mainAndArgs} ends the command. */
    private Process launch(String name, String heap, String[] mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(heap);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // the launcher otherwise looks for a Spark source build's launcher/target/scala-* directories
        String scalaVersion = scala.util.Properties.versionNumberString();
        pb.environment().put("SPARK_SCALA_VERSION", scalaVersion.substring(0, scalaVersion.lastIndexOf('.')));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitWorkers(int n, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster JVM exited with " + p.exitValue() + logTails());
                }
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort
                        + "/json/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = ALIVE.matcher(r.body());
                if (m.find()) {
                    last = m.group(1) + " alive worker(s)";
                    if (Integer.parseInt(m.group(1)) >= n) {
                        return;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the master did not report " + n + " alive workers within " + timeout + " ("
                + last + ")" + logTails());
    }

    /**
     * Stops every cluster JVM and the executors they launched: SIGTERM to all of them (descendants taken before any
     * exits, so an executor whose Worker dies first is not lost), then SIGKILL to whatever is still alive after a
     * 10 s grace period.
     */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : processes) {
            p.descendants().forEach(all::add);
            all.add(p.toHandle());
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle h : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                h.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                h.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                h.destroyForcibly();
            }
        }
        processes.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    /**
     * A manifest-only jar at {@code dir/classpath.jar} whose {@code Class-Path} lists {@code classpath}'s entries:
     * the cluster JVMs and executors get one short {@code -cp} argument however long the Maven classpath is (Linux
     * caps a single argument at 128 KiB).
     */
    static String classpathJar(Path dir, String classpath) throws IOException {
        StringBuilder urls = new StringBuilder();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.append(' ').append(Paths.get(entry).toAbsolutePath().toUri());
            }
        }
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, urls.toString().trim());
        Path jar = Files.createDirectories(dir).resolve("classpath.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar.toString();
    }

    /** The full classpath of this JVM, expanding surefire's manifest-only booter jar. */
    static String testClasspath() {
        String cp = System.getProperty("java.class.path");
        String[] entries = cp.split(File.pathSeparator);
        if (entries.length == 1 && entries[0].endsWith(".jar")) {
            try (JarFile jar = new JarFile(entries[0])) {
                String manifestPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
                if (manifestPath != null) {
                    List<String> files = new ArrayList<>();
                    for (String url : manifestPath.trim().split("\\s+")) {
                        files.add(Paths.get(URI.create(url.startsWith("file:") ? url : "file:" + url)).toString());
                    }
                    return String.join(File.pathSeparator, files);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the classpath from " + entries[0], e);
            }
        }
        return cp;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
