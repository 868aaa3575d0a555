package org.diffusionlabs.spark;

import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.diffusionlabs.spark.SparkFixtures.frame;
import static org.diffusionlabs.spark.SparkFixtures.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15 (f) on Spark: the Estimator's resume skips a corrupt checkpoint loudly and saves that step afresh. */
class SparkResumeFallbackTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);

    @TempDir
    Path dir;

    @Test
    void aCorruptNewestCheckpointIsSkippedWithAWarningAndRedone() throws IOException {
        TrainingSpec spec = SparkFixtures.adamW(3, 1, 4);
        List<List<ImageRow>> parts = List.of(rows(5, 1, 0, false), rows(4, 2, 5, false));
        SparkTrainingConfig config = SparkTrainingConfig.defaults().withAveragingFrequency(2).withCheckpointEveryRounds(1);
        new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(4).setConfig(config)
                .setCheckpoints(new CheckpointStore(new LocalStorage(dir), 5), true).fit(frame(SPARK.session(), parts));
        Path model = dir.resolve("step-4/model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(model, bytes);

        CheckpointStore store = new CheckpointStore(new LocalStorage(dir), 5);
        try (LogCapture log = LogCapture.of(CheckpointStore.class)) {
            DiffusionModel resumed = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(4).setConfig(config)
                    .setCheckpoints(store, true).fit(frame(SPARK.session(), parts));
            assertEquals(4, resumed.step());
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN") && l.contains(dir.resolve("step-4").toString())
                    && l.contains("model.safetensors")), log.lines().toString());
        }
        assertTrue(store.isValid(4), "step 4 trained again from step 2 and saved afresh");
    }
}
