package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parsing a configuration never reaches the network, and a stored one (run directory, checkpoint) reads nothing else:
 * every include form is refused for stored files, URL includes for the user's own, substitutions of stored files never
 * read the environment; the user's file still includes local files.
 */
@Timeout(60)
class ConfigIncludesTest {
    @TempDir
    Path dir;

    private final LoopbackListener listener = new LoopbackListener();

    @AfterEach
    void close() throws IOException {
        listener.close();
        assertEquals(0, listener.contacts(), "an include reached the network");
    }

    @Test
    void aStoredConfigurationIncludesNothing() throws IOException {
        Path local = Files.writeString(dir.resolve("local.conf"), "a = 1\n");
        for (String include : List.of("include url(\"" + listener.url("a") + "\")", "include \"" + listener.url("b") + "\"",
                "include required(url(\"" + listener.url("c") + "\"))", "x { include url(\"" + listener.url("d") + "\") }",
                "include file(\"" + local + "\")", "include \"" + local + "\"", "include \"" + local.toUri() + "\"",
                "include classpath(\"org/diffusionlabs/jobs/conf/mnist.conf\")")) {
            RefusedIncludeException e = assertThrows(RefusedIncludeException.class,
                    () -> StoredConfigs.parse("k = 1\n" + include, "run/checkpoints/step-3/config.json",
                            ConfigFactory.empty()), include);
            assertTrue(e.getMessage().startsWith("run/checkpoints/step-3/config.json: include"), e.getMessage());
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        }
    }

    @Test
    void aStoredConfigurationNeverReadsTheEnvironment() {
        String name = System.getenv("HOME") != null ? "HOME" : "PATH";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoredConfigs.parse("a = ${" + name + "}", "config.json", ConfigFactory.empty()));
        assertTrue(e.getMessage().startsWith("config.json: ") && e.getMessage().contains("environment"), e.getMessage());
        Config c = StoredConfigs.parse("a = ${?" + name + "}\nb = 2\nc = ${b}", "config.json", ConfigFactory.empty());
        assertFalse(c.hasPath("a"), "the environment variable was read");
        assertEquals(2, c.getInt("c"), "substitutions within the file still resolve");
    }

    @Test
    void theUsersFileIncludesLocalFilesButNoUrl() throws IOException {
        Path steps = Files.writeString(dir.resolve("steps.conf"), "train { max_steps = 7 }\n");
        Path seed = Files.writeString(dir.resolve("seed.conf"), "train { seed = 5 }\n");
        Path user = Files.writeString(dir.resolve("user.conf"), "include file(\"" + steps + "\")\ninclude \""
                + seed.toUri() + "\"\n");
        Config c = JobConfigs.load("mnist.conf", user.toString(), List.of());
        assertEquals(7, c.getInt("train.max_steps"));
        assertEquals(5, c.getInt("train.seed"));

        Files.writeString(steps, "include url(\"" + listener.url("nested") + "\")\n");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> JobConfigs.load("mnist.conf", user.toString(), List.of()));
        assertTrue(e.getCause() instanceof RefusedIncludeException, () -> String.valueOf(e.getCause()));
        assertTrue(e.getMessage().contains(user.toString()) && e.getMessage().contains(listener.url("nested")),
                e.getMessage());
        ConfigurationException set = assertThrows(ConfigurationException.class, () -> JobConfigs.load("mnist.conf", null,
                List.of("train={ include url(\"" + listener.url("set") + "\") }")));
        assertTrue(set.getCause() instanceof RefusedIncludeException, () -> String.valueOf(set.getCause()));
        assertTrue(set.getMessage().contains("--set"), set.getMessage());
    }
}
