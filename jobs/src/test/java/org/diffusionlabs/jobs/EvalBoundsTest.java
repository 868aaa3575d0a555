package org.diffusionlabs.jobs;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.diffusionlabs.testing.HostileFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (4): {@code eval} reads samples only through the image folder reader, so a 30000² PNG (a 1 MB file,
 * 900 MB decoded) is treated as the reader treats it: ignored when hidden, named under the default error policy,
 * counted and named under {@code --on-invalid skip}; never decoded.
 */
class EvalBoundsTest {
    /** Two real digits per digit folder, as 'sample' writes them. */
    private static Path samples(Path dir) throws IOException {
        EvalCommandTest.writeReal(dir, 2, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        return dir;
    }

    @Test
    void aHiddenHugePngIsIgnoredLikeTheReaderIgnoresIt(@TempDir Path dir) throws IOException {
        Files.write(samples(dir).resolve("0/.huge.png"), HostileFiles.png(30000, 30000, 8, 0));
        Cli.Result r = Cli.run("eval", "--samples", dir.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals(20, r.json().get("samples").asInt());
    }

    @Tag("fault")
    @Test
    void aVisibleHugePngIsNamedOrCountedAndNamedUnderSkip(@TempDir Path dir) throws IOException {
        Files.write(samples(dir).resolve("3/zz.png"), HostileFiles.png(30000, 30000, 8, 0));
        Cli.Result error = Cli.run("eval", "--samples", dir.toString(), "--json");
        assertEquals(1, error.code(), error.toString());
        assertTrue(error.err().contains("zz.png") && error.err().contains("30000x30000"), error.toString());
        Cli.Result skip = Cli.run("eval", "--samples", dir.toString(), "--json", "--on-invalid", "skip");
        assertEquals(0, skip.code(), skip.toString());
        assertEquals(20, skip.json().get("samples").asInt());
        assertTrue(skip.err().contains("skipped 1") && skip.err().contains("zz.png"), skip.toString());
        FaultFigures.record("hostile-eval-png", "hostile image: a 30000x30000 PNG among the samples of eval",
                "EvalBoundsTest.aVisibleHugePngIsNamedOrCountedAndNamedUnderSkip",
                String.format("%,d-byte file: exit 1 naming it under error; under skip 1 injected, 1 counted, "
                        + "20 of 20 real samples scored", Files.size(dir.resolve("3/zz.png"))));
        Cli.Result bad = Cli.run("eval", "--samples", dir.toString(), "--on-invalid", "ignore");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("--on-invalid") && bad.err().contains("ignore"), bad.toString());
    }
}
