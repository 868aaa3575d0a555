package org.diffusionlabs.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --master}: local[1] writes the single machine's weights byte for byte (issue 5's acceptance), and
 * local[2] with two partitions trains, checkpoints per round, and resumes.
 */
class SparkTrainJobTest {
    private static final String[] TINY = TinyTrainArgs.tiny().toArray();

    @TempDir
    Path dir;

    @BeforeAll
    static void quietSpark() {
        System.setProperty("spark.ui.enabled", "false");
    }

    @AfterAll
    static void restore() {
        System.clearProperty("spark.ui.enabled");
    }

    private Cli.Result train(Path run, String... extra) {
        String[] args = new String[3 + TINY.length + extra.length];
        args[0] = "train";
        args[1] = "--out";
        args[2] = run.toString();
        System.arraycopy(TINY, 0, args, 3, TINY.length);
        System.arraycopy(extra, 0, args, 3 + TINY.length, extra.length);
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.code(), r::toString);
        return r;
    }

    private static byte[] weights(Path run, int step) throws IOException {
        return Files.readAllBytes(run.resolve("checkpoints/step-" + step + "/model.safetensors"));
    }

    @Test
    void localOneEqualsTheSingleMachineByteForByte() throws IOException {
        // a Spark task runs its micro-batches one after the other on the task's thread: compare with the same layout
        train(dir.resolve("single"), "--max-steps", "3", "--set", "train.threads=1");
        Cli.Result spark = train(dir.resolve("spark"), "--max-steps", "3", "--master", "local[1]",
                "--averaging-frequency", "2");
        assertTrue(spark.err().contains("1 partition(s), averaging every 2 step(s)"), spark.err());
        assertArrayEquals(weights(dir.resolve("single"), 3), weights(dir.resolve("spark"), 3),
                "local[1] and the single machine: same model.safetensors");
        assertArrayEquals(Files.readAllBytes(dir.resolve("single/checkpoints/step-3/ema.safetensors")),
                Files.readAllBytes(dir.resolve("spark/checkpoints/step-3/ema.safetensors")));
        assertTrue(Files.readString(dir.resolve("spark/config.json")).contains("\"averaging_frequency\" : 2"));
        assertEquals(3, Files.readAllLines(dir.resolve("spark/metrics.jsonl")).size());
        assertTrue(Files.size(dir.resolve("spark/loss.png")) > 100);
    }

    /** Slow (25-45 s on 2 shared cores): three Spark runs. */
    @Test
    @Tag("slow")
    void localTwoWithTwoPartitionsTrainsAndResumes() throws IOException {
        // a constant learning rate: the schedule spans --max-steps, so a 4-step run would otherwise decay differently
        String[] constant = {"--set", "optimizer.decay=constant"};
        Path straight = dir.resolve("straight");
        Cli.Result r = train(straight, "--max-steps", "6", "--master", "local[2]", "--partitions", "2",
                "--averaging-frequency", "2", constant[0], constant[1]);
        assertTrue(r.err().contains("2 partition(s), averaging every 2 step(s)"), r.err());
        // checkpoint_every = 2 steps = 1 round
        assertTrue(Files.exists(straight.resolve("checkpoints/step-2/model.safetensors")), r.err());
        assertTrue(Files.exists(straight.resolve("checkpoints/step-6/model.safetensors")), r.err());
        assertEquals(6, Files.readAllLines(straight.resolve("metrics.jsonl")).size());
        assertFalse(Files.readString(straight.resolve("metrics.jsonl")).contains("NaN"));

        Path split = dir.resolve("split");
        train(split, "--max-steps", "4", "--master", "local[2]", "--set", "spark.partitions=2", "--set",
                "spark.averaging_frequency=2", constant[0], constant[1]);
        Cli.Result resumed = train(split, "--max-steps", "6", "--master", "local[2]", "--partitions", "2",
                "--averaging-frequency", "2", "--resume", "latest", constant[0], constant[1]);
        assertTrue(resumed.err().contains("resumed from " + split + "/checkpoints/step-4"), resumed.err());
        List<String> rows = Files.readAllLines(split.resolve("metrics.jsonl"));
        assertEquals(6, rows.size(), "4 + 2 steps");
        assertArrayEquals(weights(straight, 6), weights(split, 6), "4 + resume + 2 == 6, byte for byte");
    }

    @Test
    void sparkOptionsNeedAMaster() {
        Cli.Result r = Cli.run("train", "--out", dir.resolve("x").toString(), "--partitions", "2");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("need --master"), r.err());
        Cli.Result bad = Cli.run("train", "--out", dir.resolve("x").toString(), "--set", "spark.averaging_frequency=0");
        assertEquals(2, bad.code(), "a configuration value out of range is a configuration error\n" + bad);
        assertTrue(bad.err().contains("spark.averaging_frequency"), bad.err());
        Cli.Result bench = Cli.run("bench", "--what", "spark-train", "--config", "tiny", "--batch", "3", "--partitions", "2");
        assertEquals(2, bench.code(), bench::toString);
        assertTrue(bench.err().contains("multiple of --partitions"), bench.err());
    }
}
