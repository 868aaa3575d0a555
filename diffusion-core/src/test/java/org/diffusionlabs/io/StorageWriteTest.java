package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Whole-file writes go through a temporary name: the old content survives a failed write, no temporary is left. */
class StorageWriteTest {
    @TempDir
    Path root;

    @Test
    void writeReplacesAFileAndLeavesNothingElse() throws IOException {
        for (Storage s : List.of(new LocalStorage(root),
                new CheckpointStoreTest.FailingStorage(new LocalStorage(root), Long.MAX_VALUE))) {
            s.write("d/metrics.jsonl", "one\n".getBytes(StandardCharsets.UTF_8));
            s.write("d/metrics.jsonl", "two\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("two\n", Files.readString(root.resolve("d/metrics.jsonl")));
            assertEquals(List.of("metrics.jsonl"), s.list("d"), s.getClass().getSimpleName());
        }
    }

    @Test
    void aFailedWriteKeepsTheOldContent() throws IOException {
        new LocalStorage(root).write("loss.png", "old".getBytes(StandardCharsets.UTF_8));
        Storage failing = new CheckpointStoreTest.FailingStorage(new LocalStorage(root), 10);
        assertThrows(IOException.class, () -> failing.write("loss.png", new byte[100]));
        assertEquals("old", Files.readString(root.resolve("loss.png")));
        assertEquals(List.of("loss.png"), failing.list(""));
    }
}
