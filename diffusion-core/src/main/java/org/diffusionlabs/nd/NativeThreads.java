package org.diffusionlabs.nd;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Thread counts of the two native thread pools under ND4J: OpenMP (libnd4j's element-wise ops, oneDNN's kernels)
 * and OpenBLAS (gemm). Why it matters: OpenBLAS keeps one pool per process whose workers spin in
 * {@code sched_yield} between calls, and ND4J sizes it to all cores at start-up. When two trainers share a JVM (two
 * Spark tasks of one executor), their gemm calls contend for that pool and its spinning workers steal the cores the
 * other task computes on: measured on 2 cores, two concurrent batch-16 training streams gave 23 img/s with the
 * default pool and 34 img/s with one BLAS thread (docs/spark.md, "Executors"). Any of these may be a JVM's first ND4J
 * call (a fresh executor's first task): the backend is loaded first ({@link NativeBackend}).
 */
public final class NativeThreads {
    /** The thread budget set on this thread by {@link #setOmpThreadsOfCurrentThread}, 0 when never set. */
    private static final ThreadLocal<Integer> BUDGET = ThreadLocal.withInitial(() -> 0);

    private NativeThreads() {}

    /**
     * OpenMP threads of the parallel regions the calling thread starts (OpenMP keeps this setting per thread); the
     * same number becomes the thread's {@link #budget()}, which the engine's fused kernels respect too.
     */
    public static void setOmpThreadsOfCurrentThread(int threads) {
        Checks.positive(threads, "NativeThreads", "threads");
        NativeBackend.ops().setOmpNumThreads(threads);
        BUDGET.set(threads);
    }

    /**
     * How many cores the calling thread's work may use, as set by {@link #setOmpThreadsOfCurrentThread} (a worker
     * stream or a Spark task among several), or 0 when nothing set it (the whole machine).
     */
    public static int budget() {
        return BUDGET.get();
    }

    /** OpenMP threads the calling thread's parallel regions use. */
    public static int ompThreadsOfCurrentThread() {
        return NativeBackend.ops().ompGetMaxThreads();
    }

    /** Threads of the process-wide OpenBLAS pool. */
    public static void setBlasThreads(int threads) {
        Checks.positive(threads, "NativeThreads", "threads");
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Threads of the process-wide OpenBLAS pool. */
    public static int blasThreads() {
        return Nd4j.factory().blas().getMaxThreads();
    }
}
