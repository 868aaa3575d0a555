package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.testing.FaultFigures;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run directory is data: a checkpoint whose {@code config.json} holds a JSON value followed by
 * {@code include url("http://127.0.0.1:PORT/x")} (checksums made to match) does not verify, so {@code sample} finds
 * no valid checkpoint (exit 1) and {@code train --resume} starts from step 0, naming the file, and the listener on
 * that port is never contacted (a stored configuration that got past the check would still be parsed with includes
 * refused: {@link StoredConfigs}, tested in ConfigIncludesTest); the user's own {@code --config} may not include
 * URLs either. Exit 1 for the stored configurations (bad
 * data in a file), exit 2 for the user's {@code --config} (a configuration error, like an unknown key).
 */
@Timeout(120)
@Tag("fault")
class NetworkIncludeCliTest {
    /** Includes refused so far in this class, for the figure of docs/reliability.md. */
    private static final java.util.concurrent.atomic.AtomicInteger REFUSED = new java.util.concurrent.atomic.AtomicInteger();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SMALL = List.of("model.num_resize=0", "model.time_embed_dim=16",
            "model.cond_embed_dim=32", "model.embed_dim=8", "model.depth=32", "data.image_size=8", "train.batch=4");

    @TempDir
    Path dir;

    private final LoopbackListener listener = new LoopbackListener();

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    @AfterAll
    static void figure() {
        FaultFigures.record("hostile-config-include", "hostile configuration: config.json of a checkpoint, and the "
                        + "user's --config, including a URL served by a loopback listener", "NetworkIncludeCliTest (3 tests)",
                REFUSED.get() + " of 4 refused: the checkpoint's config.json (sample --checkpoint: exit 1; train "
                        + "--resume: skipped, trained from step 0) and the user's --config twice (exit 2); the listener "
                        + "was contacted 0 times");
    }

    /**
     * A run whose only checkpoint has a config.json that includes a URL after a JSON value, with the manifest's size
     * and checksum made to match it (as a hostile user would).
     */
    private Path run(String config) throws IOException {
        TrainingSpec spec = new TrainRecipe(JobConfigs.load("mnist.conf", null, SMALL)).training();
        TrainingSpec.Built b = spec.build();
        Path run = dir.resolve("run");
        new CheckpointStore(new LocalStorage(run.resolve("checkpoints")), 1).save(TrainingCheckpoint.capture(b.step(),
                b.ema(), new Trainer.State(1, DataCursor.start(1, 1), spec.seed(), 0), "{}", Map.of()));
        Path step = run.resolve("checkpoints/step-1");
        byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
        Files.write(step.resolve(TrainingCheckpoint.CONFIG), bytes);
        ObjectNode manifest = (ObjectNode) JSON.readTree(step.resolve("manifest.json").toFile());
        ((ObjectNode) manifest.get("files")).putObject(TrainingCheckpoint.CONFIG).put("bytes", bytes.length)
                .put("sha256", HexFormat.of().formatHex(sha256(bytes)));
        JSON.writeValue(step.resolve("manifest.json").toFile(), manifest);
        return run;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String evil() {
        return "{\"x\": 1}\ninclude url(\"" + listener.url("x") + "\")";
    }

    /** A stored configuration is data (exit 1); the user's own {@code --config} is configuration (exit 2). */
    private void assertRefused(Cli.Result r, String... parts) {
        assertRefused(Command.FAILURE, r, parts);
    }

    private void assertRefused(int code, Cli.Result r, String... parts) {
        assertEquals(0, listener.contacts(), "the include was fetched:\n" + r);
        assertEquals(code, r.code(), r::toString);
        REFUSED.incrementAndGet();
        for (String p : parts) {
            assertTrue(r.err().contains(p), () -> "'" + p + "' not in:\n" + r);
        }
    }

    @Test
    void sampleRefusesACheckpointConfigThatIncludesAUrl() throws IOException {
        Path run = run(evil());
        Cli.Result r = Cli.run("sample", "--checkpoint", run.toString(), "--out", dir.resolve("out").toString());
        assertRefused(r, "step-1: config.json is not valid JSON", "no valid checkpoint");
    }

    @Test
    void resumeRefusesACheckpointConfigThatIncludesAUrl() throws IOException {
        Path run = run(evil());
        String[] args = {"train", "--out", run.toString(), "--resume", "latest", "--max-steps", "1"};
        List<String> all = new java.util.ArrayList<>(List.of(args));
        SMALL.forEach(s -> {
            all.add("--set");
            all.add(s);
        });
        Cli.Result r = Cli.run(all.toArray(new String[0]));
        assertRefused(Command.OK, r, "step-1: config.json is not valid JSON", "starting from step 0");
    }

    @Test
    void theUsersConfigMayIncludeFilesButNoUrl() throws IOException {
        Path local = dir.resolve("local.conf");
        Files.writeString(local, "train { max_steps = 7 }\n");
        Path user = dir.resolve("user.conf");
        Files.writeString(user, "include file(\"" + local + "\")\ninclude url(\"" + listener.url("y") + "\")\n");
        Cli.Result r = Cli.run("train", "--config", user.toString(), "--out", dir.resolve("r").toString());
        assertRefused(Command.USAGE, r, "user.conf", "include url(\"" + listener.url("y") + "\")", "refused");
        Files.writeString(user, "include \"" + listener.url("z") + "\"\n");
        r = Cli.run("train", "--config", user.toString(), "--out", dir.resolve("r").toString());
        assertRefused(Command.USAGE, r, "user.conf", listener.url("z"), "refused");
    }
}
