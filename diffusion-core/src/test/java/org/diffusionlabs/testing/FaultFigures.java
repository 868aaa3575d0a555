package org.diffusionlabs.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What a fault-injection test measured, kept for the table of docs/reliability.md: one JSON file per fault,
 * {@code target/reliability/<id>.json} of the module under test ({@code id}, the fault, the test, the test's
 * figure as text and when it was recorded), rewritten by each run. Tests tagged {@code fault} call {@link #record} after their assertions
 * passed, so a figure in the table comes from a run that passed; {@code .ci/reliability} collects and prints them.
 */
public final class FaultFigures {
    /** Where the figures of this module's test run go (surefire runs tests in the module directory). */
    public static final Path DIR = Path.of("target", "reliability");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FaultFigures() {}

    /**
     * Records the figure of one fault.
     *
     * @param id     a short stable name, the file name ({@code [a-z0-9-]+})
     * @param fault  the fault injected, as the table names it
     * @param test   the test class and method that injected it
     * @param figure what it produced (steps lost, bytes compared, counted vs injected)
     */
    public static void record(String id, String fault, String test, String figure) {
        if (!id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("fault id must match [a-z0-9-]+, got '" + id + "'");
        }
        ObjectNode row = JSON.createObjectNode().put("id", id).put("fault", fault).put("test", test).put("figure", figure)
                .put("recorded", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        try {
            Files.createDirectories(DIR);
            Path tmp = DIR.resolve(id + ".json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(row) + "\n");
            Files.move(tmp, DIR.resolve(id + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the figure of " + id + " under " + DIR.toAbsolutePath(), e);
        }
    }
}
