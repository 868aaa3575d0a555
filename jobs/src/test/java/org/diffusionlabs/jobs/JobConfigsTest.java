package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsFileThenCommandLineWin() throws IOException {
        Files.writeString(dir.resolve("my.conf"), "train { batch = 16 }\noptimizer.lr = 2e-4\n");
        Config c = JobConfigs.load("mnist.conf", dir.resolve("my.conf").toString(), List.of("train.batch=8"));
        assertEquals(8, c.getInt("train.batch"));
        assertEquals(2e-4, c.getDouble("optimizer.lr"), 0);
        assertEquals(1000, c.getInt("diffusion.steps"));
    }

    @Test
    void unknownKeysAreNamedWithTheirSource() throws IOException {
        Files.writeString(dir.resolve("typo.conf"), "train { bach = 16 }");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfigs.load("mnist.conf", dir.resolve("typo.conf").toString(), List.of()));
        assertTrue(e.getMessage().contains("train.bach") && e.getMessage().contains("typo.conf"), e.getMessage());
        IllegalArgumentException cli = assertThrows(IllegalArgumentException.class,
                () -> JobConfigs.load("mnist.conf", null, List.of("optimizer.learning_rate=1")));
        assertTrue(cli.getMessage().contains("optimizer.learning_rate") && cli.getMessage().contains("command line"));
        assertThrows(IllegalArgumentException.class, () -> JobConfigs.load("mnist.conf", null, List.of("nonsense")));
    }

    @Test
    void theShippedDefaultsAreTheRepositoryFile() throws IOException {
        Config shipped = JobConfigs.load("mnist.conf", null, List.of());
        Config repo = com.typesafe.config.ConfigFactory.parseFile(Path.of("../conf/mnist.conf").toFile()).resolve();
        assertEquals(repo.root().unwrapped(), shipped.root().unwrapped());
    }
}
