package org.diffusionlabs.engine;

import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory by plan: the float32 arrays of one network's forward and backward passes, recycled by shape. A pass takes
 * what it needs ({@link #take}), hands back what it has consumed ({@link #give}), and {@link #reclaim} returns the
 * rest at the end of a step; after the first step of a shape every take is served from the free lists, so a step
 * allocates no native memory and nothing waits for the garbage collector (a fresh multi-megabyte array costs tens of
 * milliseconds of page faults on these VMs). Arrays live outside ND4J workspaces. Not thread-safe: one arena per
 * network replica.
 */
public final class Arena implements AutoCloseable {
    private record Shape(long[] dims) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && Arrays.equals(s.dims, dims);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(dims);
        }
    }

    private final Map<Shape, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Map<INDArray, Shape> out = new IdentityHashMap<>();
    private long allocatedBytes;
    private long allocations;

    /** A c-order float32 array of {@code shape}, contents undefined. */
    public INDArray take(long... shape) {
        Shape key = new Shape(shape);
        ArrayDeque<INDArray> q = free.get(key);
        INDArray a = q == null ? null : q.poll();
        if (a == null) {
            long[] dims = shape.clone();
            a = Workspaces.outside(() -> Nd4j.createUninitialized(DataType.FLOAT, dims, 'c'));
            allocatedBytes += a.length() * 4L;
            allocations++;
        }
        out.put(a, key);
        return a;
    }

    /** As {@link #take}, filled with zeros. */
    public INDArray zeros(long... shape) {
        return take(shape).assign(0);
    }

    /** Returns an array taken from this arena (ignores null and arrays already given back). */
    public void give(INDArray a) {
        if (a == null) {
            return;
        }
        Shape key = out.remove(a);
        if (key != null) {
            free.computeIfAbsent(key, k -> new ArrayDeque<>()).push(a);
        }
    }

    /** Returns every array still taken (the end of a step). */
    public void reclaim() {
        List<INDArray> all = new ArrayList<>(out.keySet());
        all.forEach(this::give);
    }

    /** Native bytes this arena holds (its high-water mark since it was created or last {@link #release released}). */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** How many arrays it has allocated so far (constant after warm-up). */
    public long allocations() {
        return allocations;
    }

    /**
     * Frees every array now, without waiting for the garbage collector; the arena stays usable and later takes
     * allocate afresh. For a pause between phases whose memory should not add up, e.g. training steps and a progress
     * grid sampled between them. Arrays taken before are invalid afterwards.
     */
    public void release() {
        reclaim();
        free.values().forEach(q -> q.forEach(INDArray::close));
        free.clear();
        allocatedBytes = 0;
    }

    /** As {@link #release}: frees every array now. */
    @Override
    public void close() {
        release();
    }
}
