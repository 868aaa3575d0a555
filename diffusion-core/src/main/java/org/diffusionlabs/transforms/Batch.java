package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The dict that flows through transforms (the reference's {@code Dict[str, Tensor]}): named tensors such as
 * {@code x}, {@code t}, {@code noise}, {@code xt}. Immutable, so a transform returns a new batch rather than
 * mutating its input; insertion-ordered.
 */
public final class Batch {
    private final Map<String, INDArray> fields;

    private Batch(LinkedHashMap<String, INDArray> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    public static Batch empty() {
        return new Batch(new LinkedHashMap<>());
    }

    public static Batch of(String name, INDArray value) {
        return empty().with(name, value);
    }

    public static Batch of(Map<String, INDArray> map) {
        Batch b = empty();
        for (Map.Entry<String, INDArray> e : map.entrySet()) {
            b = b.with(e.getKey(), e.getValue());
        }
        return b;
    }

    /** A new batch with {@code name} added or replaced. */
    public Batch with(String name, INDArray value) {
        Checks.require(name != null && !name.isEmpty(), "Batch", "name", name, "must be a non-empty field name");
        Checks.notNull(value, "Batch", name);
        LinkedHashMap<String, INDArray> copy = new LinkedHashMap<>(fields);
        copy.put(name, value);
        return new Batch(copy);
    }

    /** The field, or null when absent. */
    public INDArray get(String name) {
        return fields.get(name);
    }

    /** The field; a clear error naming the transform and the missing field otherwise. */
    public INDArray require(String name, String owner) {
        INDArray v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException(owner + " needs field '" + name + "' but the batch has only " + fields.keySet());
        }
        return v;
    }

    public boolean has(String name) {
        return fields.containsKey(name);
    }

    public Set<String> names() {
        return fields.keySet();
    }

    public int size() {
        return fields.size();
    }

    public Map<String, INDArray> asMap() {
        return fields;
    }
}
