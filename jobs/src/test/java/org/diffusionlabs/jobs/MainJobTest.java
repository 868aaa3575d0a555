package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end on a shrunken configuration: train, resume from the newest checkpoint, and get weights
 * byte-identical to an uninterrupted run; then sample PNGs and a grid. Slow (minutes): runs in CI's slow stage.
 */
@Tag("slow")
class MainJobTest {
    private static final String[] SMALL = {"--set", "model.num_resize=1", "--set", "model.time_embed_dim=16",
            "--set", "model.cond_embed_dim=32", "--set", "model.embed_dim=8", "--set", "train.batch=4",
            "--set", "train.checkpoint_every=2", "--set", "train.keep_last=2", "--set", "data.image_size=16",
            "--set", "optimizer.warmup_steps=2"};

    @TempDir
    Path dir;

    private Cli.Result train(Path run, String... extra) {
        String[] args = new String[3 + SMALL.length + extra.length];
        args[0] = "train";
        args[1] = "--out";
        args[2] = run.toString();
        System.arraycopy(SMALL, 0, args, 3, SMALL.length);
        System.arraycopy(extra, 0, args, 3 + SMALL.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void trainResumeAndSample() throws IOException {
        Cli.Result straight = train(dir.resolve("a"), "--max-steps", "5");
        assertEquals(0, straight.code(), straight::toString);
        Cli.Result first = train(dir.resolve("b"), "--max-steps", "3");
        assertEquals(0, first.code(), first::toString);
        Cli.Result resumed = train(dir.resolve("b"), "--max-steps", "5", "--resume", "latest");
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.err().contains("resumed from"), resumed.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/checkpoints/step-5/model.safetensors")),
                Files.readAllBytes(dir.resolve("b/checkpoints/step-5/model.safetensors")),
                "5 steps == 3 + resume + 2, byte for byte");
        assertEquals(5, Files.readAllLines(dir.resolve("b/metrics.jsonl")).size());

        Cli.Result sample = Cli.run("sample", "--checkpoint", dir.resolve("b").toString(), "--out",
                dir.resolve("s").toString(), "--steps", "2", "--per-label", "2");
        assertEquals(0, sample.code(), sample::toString);
        for (int label = 0; label < 10; label++) {
            assertTrue(Files.exists(dir.resolve("s/" + label + "/1.png")), "label " + label);
        }
        assertTrue(Files.size(dir.resolve("s/grid.png")) > 100);
    }

    @Test
    void vPredictionWithGradientAccumulationTrainsAndSamples() throws IOException {
        Cli.Result r = train(dir.resolve("v"), "--max-steps", "2", "--set", "diffusion.prediction=v", "--set",
                "train.grad_accum=2");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("x 2 micro-batches") && r.err().contains("predicting v"), r.err());
        assertEquals(2, Files.readAllLines(dir.resolve("v/metrics.jsonl")).size(), "one row per optimiser step");
        Cli.Result sample = Cli.run("sample", "--checkpoint", dir.resolve("v").toString(), "--out",
                dir.resolve("vs").toString(), "--steps", "2", "--per-label", "1");
        assertEquals(0, sample.code(), sample::toString);
        assertTrue(Files.size(dir.resolve("vs/grid.png")) > 100);
    }

    /** train.threads runs the micro-batches on replicas: same losses as one thread (up to OpenMP-count rounding). */
    @Test
    void microBatchesOnTwoThreadsTrainLikeOne() throws IOException {
        Cli.Result one = train(dir.resolve("t1"), "--max-steps", "2", "--set", "train.grad_accum=2", "--set",
                "train.threads=1");
        Cli.Result two = train(dir.resolve("t2"), "--max-steps", "2", "--set", "train.grad_accum=2", "--set",
                "train.threads=2");
        assertEquals(0, one.code(), one::toString);
        assertEquals(0, two.code(), two::toString);
        List<String> a = Files.readAllLines(dir.resolve("t1/metrics.jsonl"));
        List<String> b = Files.readAllLines(dir.resolve("t2/metrics.jsonl"));
        assertEquals(2, b.size());
        for (int i = 0; i < 2; i++) {
            double la = new com.fasterxml.jackson.databind.ObjectMapper().readTree(a.get(i)).get("loss").doubleValue();
            double lb = new com.fasterxml.jackson.databind.ObjectMapper().readTree(b.get(i)).get("loss").doubleValue();
            assertEquals(la, lb, 1e-4 * Math.abs(la), "step " + (i + 1) + " loss");
        }
    }

    @Test
    void badSettingsAreNamedBeforeTraining() {
        Cli.Result r = Cli.run("train", "--out", dir.resolve("c").toString(), "--set", "train.bach=3");
        assertEquals(2, r.code(), r::toString); // configuration errors exit 2 (docs/reliability.md)
        assertTrue(r.err().contains("train.bach"), r.err());
        Cli.Result neg = Cli.run("train", "--out", dir.resolve("c").toString(), "--max-steps", "-5");
        assertEquals(2, neg.code(), neg::toString);
        assertTrue(neg.err().contains("train.max_steps"), neg.err());
        Cli.Result missing = Cli.run("sample", "--checkpoint", dir.resolve("nothing").toString(), "--out", "x");
        assertEquals(1, missing.code(), missing::toString);
        assertTrue(missing.err().contains("no valid checkpoint"), missing.err());
    }
}
