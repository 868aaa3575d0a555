package org.diffusionlabs.io;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Manifest-last checkpoints: round trip, keep-last-k, a crash during a save, corruption and truncation fallbacks. */
class CheckpointStoreTest {
    @TempDir
    Path root;

    static Checkpoint checkpoint(long step) {
        Map<String, INDArray> model = new LinkedHashMap<>();
        model.put("down.0._module_list.0.weight", Nd4j.linspace(1, 2 * 3 * 9, 54).reshape(2, 3, 3, 3).castTo(
                org.nd4j.linalg.api.buffer.DataType.FLOAT).addi(step));
        model.put("down.0._module_list.0.bias", Nd4j.createFromArray(0.5f, -0.5f).addi(step));
        return new Checkpoint(step, Map.of("model.safetensors", model, "optimizer.safetensors",
                Map.of("m.bias", Nd4j.createFromArray(1f, 2f))),
                Map.of("config.json", "{\"lr\": 0.001}", "metadata.json", "{\"step\": " + step + "}"));
    }

    @Test
    void aSavedCheckpointLoadsBackExactly() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 3);
        assertEquals("step-10", store.save(checkpoint(10)));
        Checkpoint back = store.load(10);
        assertEquals(checkpoint(10).tensors("model.safetensors"), back.tensors("model.safetensors"));
        assertEquals("{\"step\": 10}", back.jsonFiles().get("metadata.json"));
        assertTrue(Files.exists(root.resolve("step-10/manifest.json")));
    }

    @Test
    void onlyTheNewestKAreKept() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 2);
        for (long s : new long[] {100, 200, 300}) {
            store.save(checkpoint(s));
        }
        assertEquals(List.of(200L, 300L), store.steps());
        assertEquals(300, store.latest(m -> { }).orElseThrow().step());
    }

    @Tag("fault")
    @Test
    void aCrashDuringASaveLeavesTheLastCompleteCheckpointAsLatest() throws IOException {
        new CheckpointStore(new LocalStorage(root), 1).save(checkpoint(1));
        CheckpointStore failing = new CheckpointStore(new FailingStorage(new LocalStorage(root), 400), 1);
        assertThrows(IOException.class, () -> failing.save(checkpoint(2)));
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 1);
        List<String> skipped = new ArrayList<>();
        assertEquals(1, store.latest(skipped::add).orElseThrow().step(), "keep-last-1 must not have deleted step 1");
        assertEquals(1, skipped.size());
        assertTrue(skipped.get(0).contains("step-2") && skipped.get(0).contains("manifest"), skipped.get(0));
        FaultFigures.record("crash-mid-save", "crash mid-save (the storage fails after 400 bytes of a checkpoint)",
                "CheckpointStoreTest.aCrashDuringASaveLeavesTheLastCompleteCheckpointAsLatest",
                "the partial step-2 skipped with 1 warning, latest = step 1 (1 step lost), keep-last-1 deleted nothing");
    }

    @Test
    void aCorruptedFileIsReportedByNameAndSkipped() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 5);
        store.save(checkpoint(1));
        store.save(checkpoint(2));
        Path model = root.resolve("step-2/model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 0x40; // inside the tensor data: parses fine, checksum fails
        Files.write(model, bytes);
        List<String> skipped = new ArrayList<>();
        assertEquals(1, store.latest(skipped::add).orElseThrow().step());
        assertTrue(skipped.get(0).contains("step-2") && skipped.get(0).contains("model.safetensors")
                && skipped.get(0).contains("SHA-256"), skipped.get(0));
    }

    @Test
    void truncatedFilesAndBrokenManifestsAreCorrupt() throws IOException {
        CheckpointStore store = new CheckpointStore(new LocalStorage(root), 5);
        store.save(checkpoint(1));
        store.save(checkpoint(2));
        store.save(checkpoint(3));
        Path opt = root.resolve("step-3/optimizer.safetensors");
        Files.write(opt, java.util.Arrays.copyOf(Files.readAllBytes(opt), 20));
        Files.writeString(root.resolve("step-2/manifest.json"), "{not json");
        List<String> skipped = new ArrayList<>();
        assertEquals(1, store.latest(skipped::add).orElseThrow().step());
        assertTrue(skipped.get(0).contains("optimizer.safetensors") && skipped.get(0).contains("bytes"), skipped.get(0));
        assertTrue(skipped.get(1).contains("step-2") && skipped.get(1).contains("manifest.json"), skipped.get(1));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.load(3));
        assertEquals("step-3", e.directory());
    }

    @Test
    void noCheckpointAtAll() throws IOException {
        assertTrue(new CheckpointStore(new LocalStorage(root), 1).latest(m -> { }).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(new LocalStorage(root), 0));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(1, Map.of("../x.safetensors", Map.of()), Map.of()));
    }

    /** A storage whose writes fail after a number of bytes, like a full disk or a killed process. */
    static final class FailingStorage implements Storage {
        private final Storage inner;
        private long budget;

        FailingStorage(Storage inner, long budget) {
            this.inner = inner;
            this.budget = budget;
        }

        @Override
        public OutputStream create(String path) throws IOException {
            return new FilterOutputStream(inner.create(path)) {
                @Override
                public void write(int b) throws IOException {
                    if (--budget < 0) {
                        throw new IOException("simulated crash while writing " + path);
                    }
                    super.write(b);
                }
            };
        }

        @Override
        public InputStream open(String path) throws IOException {
            return inner.open(path);
        }

        @Override
        public long length(String path) throws IOException {
            return inner.length(path);
        }

        @Override
        public boolean exists(String path) throws IOException {
            return inner.exists(path);
        }

        @Override
        public boolean isDirectory(String path) throws IOException {
            return inner.isDirectory(path);
        }

        @Override
        public List<String> list(String dir) throws IOException {
            return inner.list(dir);
        }

        @Override
        public void rename(String from, String to) throws IOException {
            inner.rename(from, to);
        }

        @Override
        public void delete(String path) throws IOException {
            inner.delete(path);
        }
    }
}
