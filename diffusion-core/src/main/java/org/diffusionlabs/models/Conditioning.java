package org.diffusionlabs.models;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named conditional inputs of a model ({@code conditional_inputs} in the reference), e.g. {@code "digit" -> [b, 768]}.
 * Immutable and ordered by insertion, because the U-Net sums and concatenates projections in key order.
 */
public final class Conditioning {
    private static final Conditioning NONE = new Conditioning(new LinkedHashMap<>());
    private final Map<String, INDArray> inputs;

    private Conditioning(LinkedHashMap<String, INDArray> inputs) {
        this.inputs = Collections.unmodifiableMap(inputs);
    }

    /** No conditional inputs. */
    public static Conditioning none() {
        return NONE;
    }

    public static Conditioning of(String name, INDArray value) {
        return none().with(name, value);
    }

    /** A copy of {@code map} in its iteration order; null values are rejected. */
    public static Conditioning of(Map<String, INDArray> map) {
        Conditioning c = none();
        for (Map.Entry<String, INDArray> e : map.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }

    /** A new conditioning with {@code name} added or replaced (keeping its position). */
    public Conditioning with(String name, INDArray value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("Conditioning parameter " + (name == null ? "name" : name) + " must not be null");
        }
        LinkedHashMap<String, INDArray> copy = new LinkedHashMap<>(inputs);
        copy.put(name, value);
        return new Conditioning(copy);
    }

    /** A new conditioning without {@code name}. */
    public Conditioning without(String name) {
        LinkedHashMap<String, INDArray> copy = new LinkedHashMap<>(inputs);
        copy.remove(name);
        return new Conditioning(copy);
    }

    /** The input, or null when absent. */
    public INDArray get(String name) {
        return inputs.get(name);
    }

    public boolean has(String name) {
        return inputs.containsKey(name);
    }

    public Set<String> names() {
        return inputs.keySet();
    }

    public boolean isEmpty() {
        return inputs.isEmpty();
    }

    /**
     * Rows {@code [from, to)} of every input (copies), for a shard of the batch: inputs are batch-first.
     */
    public Conditioning rows(long from, long to) {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            if (from < 0 || to > v.size(0) || from >= to) {
                throw new IllegalArgumentException("Conditioning parameter rows given invalid value [" + from + ", " + to
                        + ") for input " + k + " of " + v.size(0) + " rows");
            }
            out.put(k, v.get(NDArrayIndex.interval(from, to)).dup());
        });
        return new Conditioning(out);
    }

    /** Read-only view in insertion order. */
    public Map<String, INDArray> asMap() {
        return inputs;
    }
}
