package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train-classifier --out} never replaces an existing file unless {@code --overwrite} is given. */
class TrainClassifierOutputTest {
    @TempDir
    Path dir;

    @Test
    void anExistingOutputIsRefusedBeforeTraining() throws IOException {
        Path out = Files.writeString(dir.resolve("weights.safetensors"), "the user's file");
        Cli.Result r = Cli.run("train-classifier", "--out", out.toString(), "--epochs", "1");
        assertEquals(Command.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains(out.toString()) && r.err().contains("--overwrite"), r::toString);
        assertEquals("the user's file", Files.readString(out));
    }
}
