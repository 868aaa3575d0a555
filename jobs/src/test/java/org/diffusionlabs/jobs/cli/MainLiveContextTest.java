package org.diffusionlabs.jobs.cli;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Main#main} called where the JVM and its SparkContext belong to someone else, as in a Databricks JAR task
 * (which forbids {@link System#exit} while the context runs): a successful command returns, a failing one throws
 * {@link JobFailedException} with its code, the context stays up and the caller gets its own stdout back. Needs a
 * JVM of its own, since exiting is what is checked: {@link Platform} plays the platform in a child.
 */
class MainLiveContextTest {
    /** Starts a local session, calls {@code Main.main} twice and prints what happened on its own stdout. */
    public static final class Platform {
        public static void main(String[] args) {
            PrintStream out = System.out;
            SparkSession spark = SparkSession.builder().master("local[1]").appName("platform")
                    .config("spark.ui.enabled", "false").getOrCreate();
            Main.main(new String[] {"schedule", "--beta", "linear", "--steps", "1000", "--json"});
            out.println("returned after success");
            try {
                Main.main(new String[] {"no-such-command"});
                out.println("returned after failure");
            } catch (JobFailedException e) {
                out.println("threw exit code " + e.exitCode());
            }
            out.println("context live: " + !spark.sparkContext().isStopped());
            out.println("stdout restored: " + (System.out == out));
            spark.stop();
        }
    }

    @TempDir
    Path dir;

    @Test
    void mainNeverExitsTheJvmOfALiveSparkContext() throws IOException, InterruptedException {
        Path log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
                .toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Platform.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertEquals(0, p.isAlive() ? -1 : p.exitValue(), out);
        assertTrue(out.contains("returned after success"), "Main.main ended the JVM after a successful command:\n" + out);
        assertTrue(out.contains("threw exit code 2"), "a usage error must throw JobFailedException(2):\n" + out);
        assertTrue(out.contains("context live: true"), out);
        assertTrue(out.contains("stdout restored: true"), out);
    }
}
