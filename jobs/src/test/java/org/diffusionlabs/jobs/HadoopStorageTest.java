package org.diffusionlabs.jobs;

import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints through Hadoop's FileSystem (a file: URI here; HDFS/S3A/DBFS take the same path). */
class HadoopStorageTest {
    @TempDir
    Path dir;

    @Test
    void checkpointsRoundTripThroughHadoop() throws IOException {
        CheckpointStore store = new CheckpointStore(new HadoopStorage(dir.toUri().toString() + "run/checkpoints"), 2);
        for (long s : new long[] {1, 2, 3}) {
            store.save(new Checkpoint(s, Map.of("model.safetensors", Map.of("w", Nd4j.createFromArray(1f, 2f, (float) s))),
                    Map.of("metadata.json", "{}")));
        }
        assertEquals(List.of(2L, 3L), store.steps());
        assertEquals(3f, store.latest(m -> { }).orElseThrow().tensors("model.safetensors").get("w").getFloat(2));
        assertTrue(Files.exists(dir.resolve("run/checkpoints/step-3/manifest.json")));
    }

    @Test
    void directoriesAndFullLocationsForTheDataReaders() throws IOException {
        Files.createDirectories(dir.resolve("data/cat"));
        Files.writeString(dir.resolve("data/cat/a.png"), "x");
        HadoopStorage s = new HadoopStorage(dir.resolve("data").toUri().toString());
        assertTrue(s.isDirectory("") && s.isDirectory("cat"));
        assertTrue(!s.isDirectory("cat/a.png") && !s.isDirectory("nope"));
        assertEquals(List.of("cat"), s.list(""));
        assertTrue(s.location("cat/a.png").startsWith("file:") && s.location("cat/a.png").endsWith("data/cat/a.png"),
                s.location("cat/a.png"));
    }
}
