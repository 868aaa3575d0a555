package org.diffusionlabs.nd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of long-lived, named daemon threads, each running the tasks given to it in order and with its own
 * OpenMP thread count, for work that pins state to a thread (a SameDiff graph replica and its per-thread session
 * and array cache). Why fixed threads rather than a pool: SameDiff keys its sessions and array caches by thread, so
 * a replica must always run on the same thread to reuse them. Creating it sets the process-wide OpenBLAS pool to
 * one thread: with several native callers at once, its spinning workers steal the cores the callers compute on
 * ({@link NativeThreads}).
 */
public final class WorkerThreads implements AutoCloseable {
    private final List<ExecutorService> workers = new ArrayList<>();
    private final int ompThreads;
    private boolean closed;

    /**
     * @param count      number of threads (>= 1)
     * @param ompThreads OpenMP threads of each (>= 1; {@link #defaultOmpThreads(int)} shares the cores out)
     * @param name       thread-name prefix; threads are named {@code name-0}, {@code name-1}, ...
     */
    public WorkerThreads(int count, int ompThreads, String name) {
        Checks.positive(count, "WorkerThreads", "count");
        this.ompThreads = Checks.positive(ompThreads, "WorkerThreads", "ompThreads");
        Checks.notNull(name, "WorkerThreads", "name");
        NativeThreads.setBlasThreads(1);
        for (int i = 0; i < count; i++) {
            String threadName = name + "-" + i;
            workers.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(() -> {
                    NativeThreads.setOmpThreadsOfCurrentThread(ompThreads);
                    r.run();
                }, threadName);
                t.setDaemon(true);
                return t;
            }));
        }
    }

    /** The cores shared out over {@code count} threads: available processors / count, at least 1. */
    public static int defaultOmpThreads(int count) {
        Checks.positive(count, "WorkerThreads", "count");
        return Math.max(1, Runtime.getRuntime().availableProcessors() / count);
    }

    public int count() {
        return workers.size();
    }

    public int ompThreads() {
        return ompThreads;
    }

    /** Queues {@code task} on thread {@code worker}; tasks of one thread run in submission order. */
    public synchronized <T> Future<T> submit(int worker, Callable<T> task) {
        if (closed) {
            throw new IllegalStateException("WorkerThreads: submit after close()");
        }
        Checks.require(worker >= 0 && worker < workers.size(), "WorkerThreads", "worker", worker,
                "must be in [0, " + workers.size() + ")");
        return workers.get(worker).submit(task);
    }

    /**
     * The results of {@code futures} in order, waiting for every one of them even when one fails (so no task is
     * still running when this returns); the first failure in order is rethrown as is (unchecked) or wrapped.
     */
    public static <T> List<T> getAll(List<Future<T>> futures) {
        List<T> out = new ArrayList<>(futures.size());
        Throwable first = null;
        for (Future<T> f : futures) {
            try {
                out.add(getUninterruptibly(f));
            } catch (ExecutionException e) {
                out.add(null);
                if (first == null) {
                    first = e.getCause();
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException("WorkerThreads: a task failed: " + first, first);
        }
        return out;
    }

    private static <T> T getUninterruptibly(Future<T> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lets queued tasks finish, then stops every thread (waits up to a minute). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.forEach(ExecutorService::shutdown);
        for (ExecutorService w : workers) {
            try {
                if (!w.awaitTermination(60, TimeUnit.SECONDS)) {
                    w.shutdownNow();
                }
            } catch (InterruptedException e) {
                w.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
