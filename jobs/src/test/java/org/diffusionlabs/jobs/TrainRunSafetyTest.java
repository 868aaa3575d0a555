package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (a)–(c), (e), (f) on the tiny run: each case starts from a copy of one 4-step run (checkpoints at steps 2
 * and 4, four metrics rows), damages it as a hostile user did, and checks that nothing valid is lost.
 */
class TrainRunSafetyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    private static Path template;

    @TempDir
    Path dir;

    @BeforeAll
    static void fourSteps() {
        template = shared.resolve("template");
        Cli.Result r = train(template, "--max-steps", "4");
        assertEquals(0, r.code(), r::toString);
    }

    private static Cli.Result train(Path run, String... extra) {
        String[] args = TinyTrainArgs.tiny().toArray(extra);
        String[] all = new String[args.length + 3];
        all[0] = "train";
        all[1] = "--out";
        all[2] = run.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.run(all);
    }

    private Path copy(String name) throws IOException {
        Path run = dir.resolve(name);
        try (Stream<Path> files = Files.walk(template)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, run.resolve(template.relativize(p).toString()));
            }
        }
        return run;
    }

    private static void corrupt(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(file, bytes);
    }

    private static CheckpointStore store(Path run) {
        return new CheckpointStore(new LocalStorage(run.resolve("checkpoints")), 100);
    }

    private static List<Long> metricSteps(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(l -> {
            try {
                return JSON.readTree(l).get("step").asLong();
            } catch (IOException e) {
                throw new IllegalStateException(l, e);
            }
        }).toList();
    }

    private static void ok(Cli.Result r) {
        assertEquals(0, r.code(), r::toString);
    }

    /** (a) keep_last=1 with a corrupt newest checkpoint: the valid one and the one just written survive. */
    @Test
    void keepLastCountsValidCheckpoints() throws IOException {
        Path run = copy("a");
        corrupt(run.resolve("checkpoints/step-4/model.safetensors"));
        ok(train(run, "--resume", "latest", "--max-steps", "3", "--set", "train.keep_last=1"));
        assertEquals(3, store(run).latest(m -> { }).orElseThrow().step(), "the checkpoint just written is kept");
        assertTrue(store(run).isValid(3));
    }

    /** (b) a partial final save is redone by a resume, and sample then uses it. */
    @Test
    void aPartialFinalSaveIsRedone() throws IOException {
        Path run = copy("b");
        Files.delete(run.resolve("checkpoints/step-4/manifest.json"));
        Cli.Result r = train(run, "--resume", "latest", "--max-steps", "4", "--set", "train.checkpoint_every=3");
        ok(r);
        assertTrue(r.err().contains("step-4"), r.err());
        assertTrue(store(run).isValid(4), "the final step is saved again");
        Cli.Result s = Cli.run("sample", "--checkpoint", run.toString(), "--out", dir.resolve("s").toString(),
                "--steps", "1", "--per-label", "1");
        ok(s);
        assertTrue(s.err().contains("checkpoints/step-4"), s.err());
    }

    /** (c) a new run into an existing one refuses; a resume under other settings refuses; --overwrite replaces. */
    @Test
    void anExistingRunIsNeverOverwrittenUnasked() throws IOException {
        Path run = copy("c");
        byte[] weights = Files.readAllBytes(run.resolve("checkpoints/step-4/model.safetensors"));
        Cli.Result again = train(run, "--max-steps", "4");
        assertEquals(2, again.code(), again::toString);
        assertTrue(again.err().contains(run.toString()) && again.err().contains("--resume")
                && again.err().contains("--overwrite"), again.err());
        assertEquals(List.of(1L, 2L, 3L, 4L), metricSteps(run));
        assertArrayEquals(weights, Files.readAllBytes(run.resolve("checkpoints/step-4/model.safetensors")));

        Cli.Result reseeded = train(run, "--resume", "latest", "--max-steps", "5", "--seed", "7");
        assertEquals(2, reseeded.code(), reseeded::toString);
        assertTrue(reseeded.err().contains("train.seed") && reseeded.err().contains("--allow-config-change"),
                reseeded.err());
        assertEquals(List.of(1L, 2L, 3L, 4L), metricSteps(run));

        ok(train(run, "--overwrite", "--max-steps", "2", "--seed", "7"));
        assertEquals(List.of(1L, 2L), metricSteps(run));
        assertEquals(List.of(2L), store(run).steps(), "the old run's checkpoints are gone, not resumed later");

        ok(train(run, "--resume", "latest", "--max-steps", "3", "--seed", "8", "--allow-config-change"));
        assertEquals(List.of(1L, 2L, 3L), metricSteps(run));
    }

    /** (e) after a fallback from a corrupt checkpoint, metrics continue from the resumed step without duplicates. */
    @Test
    void metricsContinueFromTheResumedStep() throws IOException {
        Path run = copy("e");
        corrupt(run.resolve("checkpoints/step-4/ema.safetensors"));
        ok(train(run, "--resume", "latest", "--max-steps", "6"));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), metricSteps(run));
    }

    /** (f) an unsafe manifest entry or a manifest without the model falls back to the previous checkpoint. */
    @Test
    void unreadableManifestsFallBack() throws IOException {
        for (String damage : new String[] {"unsafe", "missing"}) {
            Path run = copy("f-" + damage);
            Path file = run.resolve("checkpoints/step-4/manifest.json");
            ObjectNode manifest = (ObjectNode) JSON.readTree(file.toFile());
            ObjectNode files = (ObjectNode) manifest.get("files");
            if (damage.equals("unsafe")) {
                files.putObject("../../etc/hostname").put("bytes", 1).put("sha256", "00");
            } else {
                files.remove("model.safetensors");
            }
            JSON.writeValue(file.toFile(), manifest);
            Cli.Result s = Cli.run("sample", "--checkpoint", run.toString(), "--out", dir.resolve("s-" + damage).toString(),
                    "--steps", "1", "--per-label", "1");
            ok(s);
            assertTrue(s.err().contains("skipping checkpoint step-4") && s.err().contains("checkpoints/step-2"), s.err());
            Cli.Result r = train(run, "--resume", "latest", "--max-steps", "4");
            ok(r);
            assertTrue(r.err().contains("skipping checkpoint step-4") && r.err().contains("resumed from " + run
                    + "/checkpoints/step-2"), r.err());
            assertTrue(store(run).isValid(4), damage);
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }
}
