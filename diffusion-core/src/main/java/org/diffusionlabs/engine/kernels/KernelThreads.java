package org.diffusionlabs.engine.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Splits a kernel's index range into two fixed halves, the first run by the calling thread and the second by one
 * shared daemon helper thread. Results do not depend on who runs which half (each index writes its own outputs;
 * cross-index sums are formed afterwards in index order), so the bits are the same with one thread or two.
 * When the helper has not started the second half by the time the caller finishes its own (because another
 * caller keeps it busy), the caller runs it too: no caller ever waits on a queue.
 *
 * <p>Threads: {@value #PROPERTY} (1 or 2; default 2 when the JVM sees at least 2 processors). Below
 * {@link #MIN_WORK} elements a call stays on one thread, as the hand-off (~10 µs) would cost more than it saves,
 * and so does every call from a thread whose budget is one core ({@code NativeThreads.budget()}: a worker of several
 * concurrent streams or a Spark task among several; splitting there cost 10 % in two-stream training and DDIM).
 */
final class KernelThreads {
    static final String PROPERTY = "diffusion.kernels.threads";
    static final long MIN_WORK = 1 << 15;
    static final int THREADS = threads(System.getProperty(PROPERTY));
    private static final Executor HELPER = THREADS < 2 ? null : Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "diffusion-kernels");
        t.setDaemon(true);
        return t;
    });

    /** A piece of work over the indices [from, to). */
    interface Range {
        void run(int from, int to);
    }

    private KernelThreads() {}

    static int threads(String value) {
        if (value == null) {
            return Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
        }
        if (!value.equals("1") && !value.equals("2")) {
            throw new IllegalArgumentException("system property " + PROPERTY + " given invalid value " + value
                    + ": must be 1 or 2");
        }
        return Integer.parseInt(value);
    }

    /** Runs {@code body} over [0, count), in two halves when {@code elements} (the work's size) is large enough. */
    static void split(int count, long elements, Range body) {
        int budget = org.diffusionlabs.nd.NativeThreads.budget();
        if (HELPER == null || count < 2 || elements < MIN_WORK || budget == 1) {
            body.run(0, count);
            return;
        }
        int mid = count / 2;
        Half second = new Half(() -> body.run(mid, count));
        HELPER.execute(second);
        try {
            body.run(0, mid);
        } finally {
            second.runOrAwait();
        }
    }

    /** The second half: run once, by whichever thread claims it first; failures go to the caller. */
    private static final class Half implements Runnable {
        private final Runnable work;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable failure;

        Half(Runnable work) {
            this.work = work;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                work.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }

        void runOrAwait() {
            run();
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException("Kernels: a kernel's second half failed", t);
            }
        }
    }
}
