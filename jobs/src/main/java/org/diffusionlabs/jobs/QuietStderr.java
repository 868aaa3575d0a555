package org.diffusionlabs.jobs;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where library prints to {@code System.out} go: to stderr (stdout is reserved for machine output), minus the line
 * SameDiff prints for every op when it builds a gradient graph ("Added differentiated op ..."), which would bury
 * the progress lines under thousands of entries.
 */
final class QuietStderr extends OutputStream {
    private static final String NOISE = "Added differentiated op ";
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private QuietStderr(PrintStream target) {
        this.target = target;
    }

    static PrintStream over(PrintStream stderr) {
        return new PrintStream(new QuietStderr(stderr), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') {
            flushLine();
        }
    }

    @Override
    public synchronized void flush() {
        flushLine();
        target.flush();
    }

    private void flushLine() {
        if (line.size() == 0) {
            return;
        }
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(NOISE)) {
            target.print(s);
        }
    }
}
