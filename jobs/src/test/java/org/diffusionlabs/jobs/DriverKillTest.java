package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.jobs.cli.Main;
import org.diffusionlabs.testing.FaultFigures;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15: the driver JVM of {@code train --master spark://…} SIGKILLed mid-run on a real standalone cluster
 * ({@link LoopbackSparkCluster}: a Master and one Worker on loopback). The driver is a child JVM running
 * {@link Main}; it is killed as soon as its first checkpoint is valid, well before the last of its rounds. A rerun
 * with {@code --resume latest} (in this JVM, on the cluster) finishes the run; its final checkpoint must equal an
 * undisturbed run's on the same cluster byte for byte, and {@code metrics.jsonl} must hold each step 1..N exactly
 * once. Slow: ~2.5 min (the cluster, three applications with their executor JVMs).
 */
@Tag("slow")
@Tag("fault")
class DriverKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEPS = 12;
    /** The tiny model, 2 partitions, averaging (and a checkpoint) every 2 steps: 6 rounds. */
    private static final String[] RUN = TinyTrainArgs.tiny().set("optimizer.decay", "constant")
            .set("train.keep_last", "10")
            .toArray("--partitions", "2", "--averaging-frequency", "2", "--max-steps", String.valueOf(STEPS));
    private static final List<String> COMPARED = List.of(TrainingCheckpoint.MODEL, TrainingCheckpoint.EMA,
            TrainingCheckpoint.EXTRA, TrainingCheckpoint.OPTIMIZER, TrainingCheckpoint.METADATA);

    @TempDir
    Path dir;

    @Test
    void aKilledDriverResumesToTheSameWeights() throws Exception {
        try (LoopbackSparkCluster cluster = new LoopbackSparkCluster(dir.resolve("cluster"), 1, 1, "2g")) {
            Path killed = dir.resolve("killed");
            Process driver = cluster.startDriver("driver", args(killed, cluster.masterUrl()));
            CheckpointStore store = new CheckpointStore(new LocalStorage(killed.resolve("checkpoints")), 100);
            long first = awaitFirstCheckpoint(driver, store, cluster);
            awaitProgressBeyond(first, driver, dir.resolve("cluster/driver.log"), store);
            driver.destroyForcibly(); // SIGKILL: no shutdown hooks, no final save
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the killed driver did not exit");
            assertEquals(137, driver.exitValue(), "the driver ended by SIGKILL, not on its own");
            List<Long> before = store.steps();
            long loggedBeforeKill = metricSteps(killed).size();
            long trainedBeforeKill = lastProgressStep(dir.resolve("cluster/driver.log"));
            assertFalse(store.isValid(STEPS), "the driver was killed after its final checkpoint: nothing to resume");

            long from = store.latest(m -> { }).orElseThrow().step();
            List<String[]> conf = cluster.driverConf();
            conf.forEach(kv -> System.setProperty(kv[0], kv[1]));
            try {
                Cli.Result resumed = train(killed, cluster.masterUrl(), cluster, "--resume", "latest");
                assertTrue(resumed.err().contains("resumed from " + killed + "/checkpoints/step-" + from), resumed.err());
                Path clean = dir.resolve("clean");
                train(clean, cluster.masterUrl(), cluster);

                long bytes = 0;
                for (String file : COMPARED) {
                    byte[] expected = Files.readAllBytes(clean.resolve("checkpoints/step-" + STEPS + "/" + file));
                    assertArrayEquals(expected, Files.readAllBytes(killed.resolve("checkpoints/step-" + STEPS + "/" + file)),
                            file + " at step " + STEPS + ": the killed-and-resumed run equals the undisturbed run");
                    bytes += expected.length;
                }
                assertEquals(LongStream.rangeClosed(1, STEPS).boxed().toList(), metricSteps(killed),
                        "metrics.jsonl holds steps 1.." + STEPS + " exactly once");
                String figure = String.format("killed at step %d of %d (checkpoints %s on disk, %d metric rows); "
                                + "resumed from step %d: %d step(s) lost and retrained; %,d bytes in %d files equal the "
                                + "undisturbed run; metrics rows 1..%d once each",
                        trainedBeforeKill, STEPS, before, loggedBeforeKill, from, Math.max(0, trainedBeforeKill - from),
                        bytes, COMPARED.size(), STEPS);
                FaultFigures.record("kill-driver", "kill the driver JVM (SIGKILL) mid-run, then --resume latest",
                        "DriverKillTest.aKilledDriverResumesToTheSameWeights", figure);
            } finally {
                conf.forEach(kv -> System.clearProperty(kv[0]));
            }
        }
    }

    /** The last step the driver's progress line reported ({@code step N/12}) before it was killed. */
    private static long lastProgressStep(Path log) throws IOException {
        Matcher m = Pattern.compile("step (\\d+)/" + STEPS).matcher(Files.readString(log));
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /** Polls until the driver's first checkpoint verifies; fails if the driver ends first or takes over 5 min. */
    private static long awaitFirstCheckpoint(Process driver, CheckpointStore store, LoopbackSparkCluster cluster)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!driver.isAlive()) {
                fail("the driver exited with " + driver.exitValue() + " before its first checkpoint" + cluster.logTails());
            }
            for (long s : store.steps()) {
                if (store.isValid(s)) {
                    return s;
                }
            }
            Thread.sleep(20);
        }
        fail("no checkpoint within 5 min" + cluster.logTails());
        return -1;
    }

    /**
     * Polls until the driver reports a step past checkpoint {@code step} (training it holds no checkpoint of, which
     * the kill then loses) or writes another checkpoint, so the kill lands between two checkpoints.
     */
    private static void awaitProgressBeyond(long step, Process driver, Path log, CheckpointStore store)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && driver.isAlive()) {
            if (lastProgressStep(log) > step || store.steps().stream().anyMatch(s -> s > step)) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private static List<String> args(Path run, String master, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--out", run.toString(), "--master", master));
        args.addAll(List.of(RUN));
        args.addAll(List.of(extra));
        return args;
    }

    private static Cli.Result train(Path run, String master, LoopbackSparkCluster cluster, String... extra) {
        Cli.Result r = Cli.run(args(run, master, extra).toArray(String[]::new));
        assertEquals(0, r.code(), () -> r + cluster.logTails());
        return r;
    }

    private static List<Long> metricSteps(Path run) throws IOException {
        Path file = run.resolve("metrics.jsonl");
        List<Long> steps = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                steps.add(JSON.readTree(line).get("step").asLong());
            }
        }
        return steps;
    }
}
