package org.diffusionlabs.jobs;

import java.io.PrintStream;

/**
 * The training progress line on stderr: step, loss (smoothed), steps per second and estimated time left, redrawn
 * in place (the time left is capped by the run's time budget); a permanent line every {@code logEvery} steps so logs
 * captured to a file show the history.
 */
final class Progress {
    private final PrintStream err;
    private final long total;
    private final long start;
    private final int logEvery;
    private final long deadlineNanos;
    private final long t0 = System.nanoTime();
    private double smoothed = Double.NaN;

    /** @param deadlineNanos the time budget's end ({@link System#nanoTime()}), or Long.MAX_VALUE */
    Progress(PrintStream err, long total, long start, int logEvery, long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.err = err;
        this.total = total;
        this.start = start;
        this.logEvery = Math.max(1, logEvery);
    }

    void step(long step, double loss) {
        smoothed = Double.isNaN(smoothed) ? loss : 0.9 * smoothed + 0.1 * loss;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double rate = (step - start) / Math.max(elapsed, 1e-9);
        long eta = rate > 0 ? (long) ((total - step) / rate) : 0;
        if (deadlineNanos != Long.MAX_VALUE) {
            eta = Math.min(eta, Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000_000L));
        }
        String line = String.format("step %d/%d  loss %.4f  %.2f it/s  ETA %dm%02ds", step, total, smoothed, rate,
                eta / 60, eta % 60);
        err.print(step % logEvery == 0 ? "\r" + line + "\n" : "\r" + line);
        err.flush();
    }

    void done() {
        err.println();
    }
}
