package org.diffusionlabs.jobs.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link RedactedStderr} masks credentials in URIs and secret-named values, whatever the print method. */
class RedactedStderrTest {
    private static final String PASSWORD = "s3cr3t-pass";

    @Test
    void printsAndFormatsAreRedacted() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = RedactedStderr.over(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        err.print("\rstep 1 s3a://K:" + PASSWORD + "@b/x");
        err.printf("%ntoken=%s done%n", PASSWORD);
        err.flush();
        assertEquals("\rstep 1 s3a://***@b/x\ntoken=*** done\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void wrapsOnce() {
        PrintStream err = RedactedStderr.over(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertSame(err, RedactedStderr.over(err));
    }
}
