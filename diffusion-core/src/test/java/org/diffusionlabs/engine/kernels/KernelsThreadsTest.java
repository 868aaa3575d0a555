package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fixed two-way split: every index runs exactly once, small work stays on the caller, failures reach it. */
class KernelsThreadsTest {
    @Test
    void everyIndexRunsOnceAndFailuresPropagate() {
        for (int count : new int[] {1, 2, 7, 1000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            KernelThreads.split(count, KernelThreads.MIN_WORK, (from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < count; i++) {
                assertEquals(1, runs.get(i), "index " + i + " of " + count);
            }
        }
        Thread caller = Thread.currentThread();
        KernelThreads.split(100, KernelThreads.MIN_WORK - 1, (from, to) ->
                assertEquals(caller, Thread.currentThread(), "small work left the calling thread"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelThreads.split(10, KernelThreads.MIN_WORK, (from, to) -> {
                    if (from > 0) {
                        throw new IllegalStateException("second half");
                    }
                }));
        assertEquals("second half", e.getMessage());
    }
}
