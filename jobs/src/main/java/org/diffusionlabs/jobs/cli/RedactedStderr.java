package org.diffusionlabs.jobs.cli;

import org.diffusionlabs.io.Redaction;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The stderr of a command: every line (ended by a newline or a carriage return, or cut by an explicit flush) passes
 * through {@link Redaction#text} before it reaches the real stream, so no message, progress line or error names a
 * credential from a URI ({@code s3a://KEY:SECRET@bucket/run}) or a secret-named {@code key=value}. The print stream
 * does not flush by itself: {@code printf} hands over its pieces one by one, and a line must be whole to be redacted.
 */
final class RedactedStderr extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private RedactedStderr(PrintStream target) {
        this.target = target;
    }

    /** A stream over {@code stderr} that redacts; {@code stderr} itself when it already does. */
    static PrintStream over(PrintStream stderr) {
        return stderr instanceof Redacting ? stderr : new Redacting(new RedactedStderr(stderr));
    }

    /** The print stream of a {@link RedactedStderr} (so that wrapping twice is recognised). */
    static final class Redacting extends PrintStream {
        private Redacting(RedactedStderr out) {
            super(out, false, StandardCharsets.UTF_8);
        }
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n' || b == '\r') {
            flushLine();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() {
        flushLine();
        target.flush();
    }

    private void flushLine() {
        if (line.size() > 0) {
            target.print(Redaction.text(line.toString(StandardCharsets.UTF_8)));
            line.reset();
        }
    }
}
