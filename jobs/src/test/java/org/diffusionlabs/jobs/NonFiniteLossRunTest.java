package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.testing.FaultFigures;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loss that turns non-finite mid-run (a 2-step run resumed under {@code optimizer.lr = 1e30}): the run ends with
 * exit 1 naming the step, no checkpoint holds non-finite weights, and the last valid checkpoint stays the one
 * before the divergence.
 */
@Tag("fault")
class NonFiniteLossRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Cli.Result train(Path run, String... extra) {
        List<String> all = new ArrayList<>(List.of("train", "--out", run.toString()));
        all.addAll(List.of(TinyTrainArgs.tiny().toArray(extra)));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void aNonFiniteLossEndsTheRunAndKeepsTheLastFiniteCheckpoint() throws IOException {
        Path run = dir.resolve("run");
        Cli.Result first = train(run, "--max-steps", "2");
        assertEquals(0, first.code(), first::toString);
        Cli.Result diverged = train(run, "--resume", "latest", "--allow-config-change", "--max-steps", "8",
                "--set", "optimizer.lr=1e30");
        assertEquals(Command.FAILURE, diverged.code(), diverged::toString);
        Matcher m = Pattern.compile("non-finite[^\\n]*?step (\\d+)").matcher(diverged.err());
        assertTrue(m.find(), diverged::toString);
        long failed = Long.parseLong(m.group(1));
        assertTrue(failed > 2, "diverged at step " + failed);

        CheckpointStore store = new CheckpointStore(new LocalStorage(run.resolve("checkpoints")), 100);
        List<Long> steps = store.steps();
        for (long s : steps) {
            Checkpoint cp = store.load(s);
            for (Map.Entry<String, INDArray> e : cp.tensors(TrainingCheckpoint.MODEL).entrySet()) {
                assertFalse(e.getValue().isNaN().any() || e.getValue().isInfinite().any(),
                        "step-" + s + " " + e.getKey() + " holds non-finite weights");
            }
        }
        long latest = store.latest(w -> { }).orElseThrow().step();
        assertTrue(latest < failed, "latest valid checkpoint " + latest + " is before the divergence at " + failed);
        long rows = Files.readAllLines(run.resolve("metrics.jsonl")).size();
        FaultFigures.record("nan-loss", "NaN loss on one machine (a resume under optimizer.lr = 1e30)",
                "NonFiniteLossRunTest.aNonFiniteLossEndsTheRunAndKeepsTheLastFiniteCheckpoint",
                String.format("non-finite loss at step %d: exit 1; checkpoints %s all finite, latest valid step %d "
                        + "(%d step(s) lost); %d metric rows on disk", failed, steps, latest, failed - 1 - latest, rows));
    }
}
