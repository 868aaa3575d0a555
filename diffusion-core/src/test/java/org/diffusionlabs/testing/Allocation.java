package org.diffusionlabs.testing;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes the current thread allocates while running an action (HotSpot's per-thread counter), so a test can
 * assert that a reader rejected a hostile file without allocating what it declares. Native (ND4J) memory is not
 * counted: readers must reject before reaching it.
 */
public final class Allocation {
    private Allocation() {}

    /** An action that may throw anything. */
    public interface Action {
        void run() throws Throwable;
    }

    /** What {@link #measure} saw: the bytes allocated and what the action threw (null if it returned). */
    public record Measured(long bytes, Throwable thrown) {}

    /** Runs {@code action} on this thread and returns the heap bytes it allocated and what it threw. */
    public static Measured measure(Action action) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            action.run();
        } catch (Throwable t) {
            thrown = t;
        }
        return new Measured(mx.getCurrentThreadAllocatedBytes() - before, thrown);
    }
}
