package org.diffusionlabs.jobs;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fault tolerance on a real standalone cluster (issue 5): a Master and two one-core Worker JVMs on loopback
 * ({@link LoopbackSparkCluster}) run {@code train --master spark://…} twice with 2 partitions — once undisturbed, once
 * with the executor of a round-2 task SIGKILLed as the task starts ({@link ExecutorKiller}). Spark re-runs the lost
 * task (on the other executor or the one the Worker relaunches); because a partition's work depends only on the
 * broadcast state, the seed, the step and the partition index, the run completes with the same weights, byte for
 * byte. Slow: ~1–2 min (JVM and ND4J start-ups of the cluster and of four executors).
 */
@Tag("slow")
@Tag("fault")
class StandaloneClusterFaultTest {
    /** The tiny model on 16×16 images in batches of 16, a checkpoint per 6-step round, a constant rate. */
    private static final String[] RUN = TinyTrainArgs.tiny().set("train.batch", "16").set("data.image_size", "16")
            .set("train.checkpoint_every", "6").set("optimizer.decay", "constant")
            .toArray("--partitions", "2", "--averaging-frequency", "6", "--max-steps", "18");

    @TempDir
    Path dir;

    @Test
    void anExecutorKilledMidRoundChangesNothing() throws Exception {
        try (LoopbackSparkCluster cluster = new LoopbackSparkCluster(dir.resolve("cluster"), 2, 1, "3g")) {
            List<String[]> conf = new ArrayList<>(cluster.driverConf());
            conf.add(new String[] {"spark.extraListeners", ExecutorKiller.class.getName()});
            conf.forEach(kv -> System.setProperty(kv[0], kv[1]));
            try {
                ExecutorKiller.arm(0);
                Path clean = dir.resolve("clean");
                train(cluster, clean);

                ExecutorKiller.arm(2);
                Path faulty = dir.resolve("faulty");
                Cli.Result r = train(cluster, faulty);
                assertFalse(ExecutorKiller.KILLED.isEmpty(), "no executor was killed in round 2\n" + r.err());
                assertFalse(ExecutorKiller.FAILED_TASKS.isEmpty(), "the kill " + ExecutorKiller.KILLED
                        + " failed no task: it came after the round's tasks had finished");
                System.err.println("killed: " + ExecutorKiller.KILLED + "; failed tasks: " + ExecutorKiller.FAILED_TASKS);

                assertEquals(18, Files.readAllLines(faulty.resolve("metrics.jsonl")).size(), "all 18 steps logged");
                long compared = 0;
                for (String file : List.of("model.safetensors", "ema.safetensors")) {
                    assertArrayEquals(bytes(clean, file), bytes(faulty, file),
                            file + " at step 18: the run with a killed executor equals the undisturbed run");
                    compared += bytes(clean, file).length;
                }
                FaultFigures.record("kill-executor", "kill an executor JVM (SIGKILL) as a round-2 task starts",
                        "StandaloneClusterFaultTest.anExecutorKilledMidRoundChangesNothing",
                        String.format("%d executor(s) killed, %d task(s) failed and re-run; 0 steps lost (18 of 18 "
                                + "logged); %,d bytes (model + EMA at step 18) equal the undisturbed run",
                                ExecutorKiller.KILLED.size(), ExecutorKiller.FAILED_TASKS.size(), compared));
            } finally {
                conf.forEach(kv -> System.clearProperty(kv[0]));
                ExecutorKiller.arm(0);
            }
        }
    }

    private static Cli.Result train(LoopbackSparkCluster cluster, Path run) {
        List<String> args = new ArrayList<>(List.of("train", "--out", run.toString(), "--master", cluster.masterUrl()));
        args.addAll(List.of(RUN));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), () -> r + cluster.logTails());
        return r;
    }

    private static byte[] bytes(Path run, String file) throws IOException {
        return Files.readAllBytes(run.resolve("checkpoints/step-18/" + file));
    }
}
