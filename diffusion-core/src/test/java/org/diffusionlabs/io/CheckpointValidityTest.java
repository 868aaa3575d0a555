package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.diffusionlabs.io.CheckpointStoreTest.checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: pruning, "latest" and "is this step saved" go by verified checkpoints only; a partial or corrupt
 * directory is replaced without being lost first; every unreadable checkpoint falls back with a WARN log.
 */
class CheckpointValidityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    /** Flips a bit inside the tensor data: the file still parses, its checksum fails. */
    static void corrupt(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(file, bytes);
    }

    @Test
    void pruningCountsValidCheckpointsAndKeepsTheOneJustSaved() throws IOException {
        CheckpointStore two = new CheckpointStore(new LocalStorage(root), 2);
        two.save(checkpoint(2));
        two.save(checkpoint(4));
        corrupt(root.resolve("step-4/model.safetensors"));
        CheckpointStore one = new CheckpointStore(new LocalStorage(root), 1);
        one.save(checkpoint(3));
        assertEquals(3, one.load(3).step(), "the checkpoint just saved survives its own pruning");
        assertEquals(3, one.latest(m -> { }).orElseThrow().step());
        assertFalse(Files.exists(root.resolve("step-2")), "keep-last-1 counts valid checkpoints: 3 replaces 2");
    }

    @Test
    void aPartialOrCorruptDirectoryOfAStepIsReplacedByAFreshSave() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 5);
        store.save(checkpoint(2));
        store.save(checkpoint(3));
        Files.delete(root.resolve("step-3/manifest.json"));
        store = new CheckpointStore(new LocalStorage(root), 5); // a store remembers what it verified itself
        assertFalse(store.isValid(3));
        assertTrue(store.isValid(2));
        store.save(checkpoint(3));
        assertTrue(store.isValid(3));
        corrupt(root.resolve("step-3/optimizer.safetensors"));
        assertFalse(new CheckpointStore(new LocalStorage(root), 5).isValid(3));
        store = new CheckpointStore(new LocalStorage(root), 5);
        store.save(checkpoint(3));
        assertEquals(checkpoint(3).tensors("model.safetensors"), store.load(3).tensors("model.safetensors"));
        try (var names = Files.list(root)) {
            assertEquals(List.of("step-2", "step-3"), names.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the replaced directory is removed once the new one verifies");
        }
    }

    @Test
    void aFailedReplacementPutsTheEarlierDirectoryBack() throws IOException {
        new CheckpointStore(new LocalStorage(root), 5).save(checkpoint(3));
        CheckpointStore failing = new CheckpointStore(new CheckpointStoreTest.FailingStorage(new LocalStorage(root), 400), 5);
        assertThrows(IOException.class, () -> failing.save(checkpoint(3)));
        assertEquals(3, new CheckpointStore(new LocalStorage(root), 5).load(3).step(), "never deleted before a new one verifies");
    }

    @Test
    void unsafeNamesMissingFilesAndBadJsonFallBackWithAWarning() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 5, Set.of("model.safetensors", "metadata.json"));
        for (long s = 1; s <= 4; s++) {
            store.save(checkpoint(s));
        }
        ObjectNode m4 = manifest(4);
        ((ObjectNode) m4.get("files")).putObject("../../etc/hostname").put("bytes", 1).put("sha256", "00");
        writeManifest(4, m4);
        ObjectNode m3 = manifest(3);
        ((ObjectNode) m3.get("files")).remove("model.safetensors");
        writeManifest(3, m3);
        byte[] notJson = "{step: oops".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("step-2/metadata.json"), notJson);
        ObjectNode m2 = manifest(2);
        ((ObjectNode) m2.get("files")).putObject("metadata.json").put("bytes", notJson.length).put("sha256", sha256(notJson));
        writeManifest(2, m2);

        List<String> skipped = new ArrayList<>();
        try (LogCapture log = LogCapture.of(CheckpointStore.class)) {
            CheckpointStore fresh = new CheckpointStore(new LocalStorage(root), 5, Set.of("model.safetensors", "metadata.json"));
            assertEquals(1, fresh.latest(skipped::add).orElseThrow().step());
            assertEquals(3, log.lines().size(), log.lines().toString());
            for (int i = 0; i < 3; i++) {
                String line = log.lines().get(i);
                assertTrue(line.startsWith("WARN") && line.contains(root.resolve("step-" + (4 - i)).toString()), line);
            }
        }
        assertEquals(3, skipped.size(), skipped.toString());
        assertTrue(skipped.get(0).contains("step-4") && skipped.get(0).contains("../../etc/hostname"), skipped.get(0));
        assertTrue(skipped.get(1).contains("step-3") && skipped.get(1).contains("model.safetensors"), skipped.get(1));
        assertTrue(skipped.get(2).contains("step-2") && skipped.get(2).contains("metadata.json"), skipped.get(2));
    }

    /**
     * A save killed after moving a step's directory aside leaves {@code step-N.replaced-*}; once step N verifies
     * again (saved afresh), or is older than every kept checkpoint, the next save's pruning removes it.
     */
    @Test
    void directoriesMovedAsideByAKilledSaveAreCleanedOnceTheirStepIsSafe() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 2);
        store.save(checkpoint(1));
        store.save(checkpoint(2));
        Files.move(root.resolve("step-2"), root.resolve("step-2.replaced-5"));
        Files.move(root.resolve("step-1"), root.resolve("step-1.replaced-6"));
        Files.createDirectories(root.resolve("step-2"));
        Files.writeString(root.resolve("step-2/model.safetensors"), "partial");
        CheckpointStore next = new CheckpointStore(new LocalStorage(root), 2);
        next.save(checkpoint(2));
        next.save(checkpoint(3));
        next.save(checkpoint(4));
        try (var names = Files.list(root)) {
            assertEquals(List.of("step-3", "step-4"), names.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A JSON file with text after its JSON value (a HOCON include, say) does not verify, nor does such a manifest. */
    @Test
    void jsonFilesWithTrailingTextDoNotVerify() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 5);
        store.save(checkpoint(1));
        store.save(checkpoint(2));
        store.save(checkpoint(3));
        byte[] trailing = "{\"lr\": 0.001}\ninclude url(\"http://127.0.0.1:9/x\")".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("step-3/config.json"), trailing);
        ObjectNode m3 = manifest(3);
        ((ObjectNode) m3.get("files")).putObject("config.json").put("bytes", trailing.length).put("sha256", sha256(trailing));
        writeManifest(3, m3);
        Files.writeString(root.resolve("step-2/manifest.json"), JSON.writeValueAsString(manifest(2)) + " {}");

        List<String> skipped = new ArrayList<>();
        CheckpointStore fresh = new CheckpointStore(new LocalStorage(root), 5);
        assertEquals(1, fresh.latest(skipped::add).orElseThrow().step(), skipped.toString());
        assertTrue(skipped.get(0).contains("step-3") && skipped.get(0).contains("config.json"), skipped.get(0));
        assertTrue(skipped.get(1).contains("step-2") && skipped.get(1).contains("manifest.json"), skipped.get(1));
    }

    private ObjectNode manifest(long step) throws IOException {
        return (ObjectNode) JSON.readTree(root.resolve("step-" + step + "/manifest.json").toFile());
    }

    private void writeManifest(long step, ObjectNode manifest) throws IOException {
        JSON.writeValue(root.resolve("step-" + step + "/manifest.json").toFile(), manifest);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
