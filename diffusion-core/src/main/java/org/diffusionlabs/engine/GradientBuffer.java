package org.diffusionlabs.engine;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One flat float32 buffer holding the gradient of every trained array of a network, with a view per array in the
 * arrays' order and shapes: a backward pass writes the views, and zeroing, accumulation, clipping and averaging
 * work on the one buffer.
 */
public final class GradientBuffer implements AutoCloseable {
    private final INDArray flat;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    /** A zeroed buffer for {@code values} (live arrays by name, in order). */
    public GradientBuffer(Map<String, INDArray> values) {
        Checks.notNull(values, "GradientBuffer", "values");
        long total = values.values().stream().mapToLong(INDArray::length).sum();
        this.flat = Workspaces.outside(() -> Nd4j.zeros(DataType.FLOAT, Math.max(1, total)));
        long offset = 0;
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            long n = e.getValue().length();
            INDArray view = flat.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', e.getValue().shape());
            slots.put(e.getKey(), new Slot(e.getKey(), e.getValue(), view));
            offset += n;
        }
    }

    /** The slot of {@code name}. */
    public Slot slot(String name) {
        Slot s = slots.get(name);
        Checks.require(s != null, "GradientBuffer", "name", name, "is not a trained array of this network");
        return s;
    }

    /** Whether {@code name} is a trained array of this network. */
    public boolean has(String name) {
        return slots.containsKey(name);
    }

    /** Every slot in order. */
    public Map<String, Slot> slots() {
        return Collections.unmodifiableMap(slots);
    }

    /** The gradient views by name, in order. */
    public Map<String, INDArray> gradients() {
        Map<String, INDArray> g = new LinkedHashMap<>();
        slots.forEach((k, s) -> g.put(k, s.grad()));
        return g;
    }

    /** Views shaped and named like the slots' gradients into {@code other}, a flat array of this buffer's length. */
    public Map<String, INDArray> viewsOf(INDArray other) {
        Checks.require(other.length() == flat.length(), "GradientBuffer", "other", other.length(),
                "must have the buffer's length " + flat.length());
        Map<String, INDArray> g = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            long n = e.getValue().value().length();
            g.put(e.getKey(), other.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', e.getValue().value().shape()));
            offset += n;
        }
        return g;
    }

    /** The whole buffer [N]. */
    public INDArray flat() {
        return flat;
    }

    public void zero() {
        flat.assign(0);
    }

    @Override
    public void close() {
        flat.close();
    }
}
