package org.diffusionlabs.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a pass spends its time, per kind of work (conv forward, GroupNorm backward, ...), when the JVM runs with
 * {@value #PROPERTY}{@code =true} (wall time) or {@code =cpu} (thread CPU time): the modules time themselves with {@link #start}/{@link #add}; {@code bench}
 * prints {@link #report}. Off by default, when the calls compile to nothing.
 */
public final class Profile {
    /** System property turning the profile on. */
    public static final String PROPERTY = "diffusion.engine.profile";
    public static final boolean ENABLED = Boolean.getBoolean(PROPERTY) || "cpu".equals(System.getProperty(PROPERTY));
    /** {@code cpu}: the calling thread's CPU time instead of wall time (steadier on a shared machine). */
    private static final boolean CPU = "cpu".equals(System.getProperty(PROPERTY));
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final Map<String, LongAdder> NANOS = new ConcurrentHashMap<>();

    private Profile() {}

    /** A start time, or 0 when the profile is off. */
    public static long start() {
        return ENABLED ? now() : 0;
    }

    /** Adds the time since {@code start} to {@code key}. */
    public static void add(String key, long start) {
        if (ENABLED) {
            NANOS.computeIfAbsent(key, k -> new LongAdder()).add(now() - start);
        }
    }

    private static long now() {
        return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Milliseconds per key since the last reset, largest first in the text. */
    public static String report() {
        Map<String, Long> sorted = new TreeMap<>();
        NANOS.forEach((k, v) -> sorted.put(k, v.sum()));
        long total = sorted.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder();
        sorted.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).forEach(e ->
                s.append(String.format("  %-28s %9.1f ms %5.1f %%%n", e.getKey(), e.getValue() / 1e6,
                        100.0 * e.getValue() / Math.max(1, total))));
        return s.toString();
    }

    public static void reset() {
        NANOS.clear();
    }
}
