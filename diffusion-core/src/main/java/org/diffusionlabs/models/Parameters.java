package org.diffusionlabs.models;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.TorchInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's named float32 parameters in construction order, under the reference's {@code state_dict} names and
 * PyTorch layouts (linear [out, in], conv [out, in, kh, kw]). A parameter is created the first time a graph builder
 * asks for it, drawn with PyTorch's default initialisation from the model's {@link Rng}, so the same seed gives the
 * reference's initial weights. Loading checks every name and shape and reports all mismatches at once.
 */
public final class Parameters {
    /** How a new parameter is initialised (PyTorch defaults). */
    public enum Init { WEIGHT, BIAS, ONES, ZEROS, UNIFORM01 }

    private final LinkedHashMap<String, INDArray> values = new LinkedHashMap<>();
    private final Rng rng;

    /** Parameters drawn from {@code rng} as they are declared. */
    public Parameters(Rng rng) {
        this.rng = Checks.notNull(rng, "Parameters", "rng");
    }

    /**
     * The parameter {@code name}, created on first request with the given init; later requests must ask for the
     * same shape. {@code fanIn} is used by BIAS (1/√fan_in bound).
     */
    public INDArray get(String name, long[] shape, Init init, long fanIn) {
        INDArray v = values.get(name);
        if (v != null) {
            Checks.require(Arrays.equals(v.shape(), shape), "Parameters", name, Arrays.toString(shape),
                    "already declared with shape " + Arrays.toString(v.shape()));
            return v;
        }
        v = switch (init) {
            case WEIGHT -> TorchInit.weight(rng, shape);
            case BIAS -> TorchInit.bias(rng, shape[0], fanIn);
            case ONES -> Nd4j.ones(DataType.FLOAT, shape);
            case ZEROS -> Nd4j.zeros(DataType.FLOAT, shape);
            case UNIFORM01 -> rng.rand(shape);
        };
        values.put(name, v);
        return v;
    }

    /**
     * Fixes the position of parameters in the state dict before they are created: PyTorch lists parameters in
     * module registration order, which can differ from the order their initial values are drawn in.
     */
    public void reserve(String... names) {
        for (String n : names) {
            values.putIfAbsent(n, null);
        }
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Read-only view of the parameters in construction order (the arrays themselves, not copies). */
    public Map<String, INDArray> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** Total number of scalar parameters. */
    public long count() {
        return values.values().stream().mapToLong(INDArray::length).sum();
    }

    /**
     * Copies {@code source} into the parameters in place (graphs that use them see the new values).
     *
     * @param strict when true every parameter must be present with its exact shape and nothing else may be given;
     *               when false only the matching names are loaded, but shape mismatches are still errors
     * @return the names that were loaded
     * @throws IllegalArgumentException listing every missing, unexpected and mis-shaped name
     */
    public List<String> load(Map<String, INDArray> source, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            INDArray s = source.get(e.getKey());
            if (s == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(s.shape(), e.getValue().shape())) {
                misShaped.add(e.getKey() + " " + Arrays.toString(s.shape()) + " (expected "
                        + Arrays.toString(e.getValue().shape()) + ")");
            }
        }
        for (String k : source.keySet()) {
            if (!values.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!misShaped.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder m = new StringBuilder("weights do not match the model:");
            if (!misShaped.isEmpty()) {
                m.append("\n  wrong shape (").append(misShaped.size()).append("): ").append(String.join(", ", misShaped));
            }
            if (strict && !missing.isEmpty()) {
                m.append("\n  missing (").append(missing.size()).append("): ").append(String.join(", ", missing));
            }
            if (strict && !unexpected.isEmpty()) {
                m.append("\n  unexpected (").append(unexpected.size()).append("): ").append(String.join(", ", unexpected));
            }
            throw new IllegalArgumentException(m.toString());
        }
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            INDArray s = source.get(e.getKey());
            if (s != null) {
                Checks.require(s.dataType().isFPType(), "Parameters", e.getKey(), s.dataType(), "must be floating point");
                e.getValue().assign(s.castTo(DataType.FLOAT));
                loaded.add(e.getKey());
            }
        }
        return loaded;
    }
}
