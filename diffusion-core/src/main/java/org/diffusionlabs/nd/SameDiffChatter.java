package org.diffusionlabs.nd;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Keeps SameDiff's per-op output off stdout. Building a gradient function ({@code SameDiff.createGradFunction},
 * also reached from {@code calculateGradients}) prints one "Added differentiated op ..." line per graph op with
 * {@code System.out.println}, not through a logger, so no logging configuration can silence it. In a notebook those
 * lines land under the cell, in a job they mix with its machine output. {@link #quiet} runs such a call with
 * {@code System.out} filtered; every other line still reaches the stdout that was in place.
 */
public final class SameDiffChatter {
    /** The start of the line SameDiff prints for every op it differentiates (ND4J 1.0.0-M2.1). */
    public static final String PER_OP_PREFIX = "Added differentiated op ";
    private static final Object LOCK = new Object();
    private static int depth;
    private static PrintStream saved;
    private static PrintStream installed;

    private SameDiffChatter() {}

    /** A stream writing every line to {@code target} except SameDiff's per-op lines. */
    public static PrintStream filter(PrintStream target) {
        Checks.notNull(target, "SameDiffChatter", "target");
        return new PrintStream(new LineFilter(target), true, StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code action} with {@code System.out} filtered as by {@link #filter}. The filter is process-wide while
     * any such action runs (other threads' lines pass through it unchanged); the last one to finish puts the
     * previous stream back, unless someone replaced {@code System.out} meanwhile.
     */
    public static <T> T quiet(Supplier<T> action) {
        synchronized (LOCK) {
            if (depth++ == 0) {
                saved = System.out;
                installed = filter(saved);
                System.setOut(installed);
            }
        }
        try {
            return action.get();
        } finally {
            synchronized (LOCK) {
                if (--depth == 0) {
                    installed.flush();
                    if (System.out == installed) {
                        System.setOut(saved);
                    }
                    saved = null;
                    installed = null;
                }
            }
        }
    }

    /** {@link #quiet(Supplier)} for an action without a result. */
    public static void quiet(Runnable action) {
        quiet(() -> {
            action.run();
            return null;
        });
    }

    /** Buffers one line at a time and forwards it unless it is a per-op line. */
    private static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                forward();
            }
        }

        @Override
        public synchronized void flush() {
            forward();
            target.flush();
        }

        private void forward() {
            if (line.size() == 0) {
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.startsWith(PER_OP_PREFIX)) {
                target.print(s);
            }
        }
    }
}
