package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.TrainingSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training state as plain Java arrays, for broadcasts and task results: every tensor's name and shape and all
 * their values concatenated into one {@code float[]} (C order). Never holds an INDArray: Kryo silently corrupts those
 * (stack.md §8). Names carry a prefix: {@value #PARAM} trained arrays, {@value #EMA} EMA weights, {@value #OPTIMIZER}
 * optimiser state ({@code m.*}, {@code v.*}); the counters are the optimiser's steps and the EMA's updates.
 *
 * @param names          tensor names, in order
 * @param shapes         one shape per name
 * @param values         all values, tensor after tensor
 * @param optimizerSteps {@link org.diffusionlabs.training.Optimizer#steps()}
 * @param emaUpdates     {@link org.diffusionlabs.training.Ema#updates()} (0 without EMA)
 */
public final class WeightSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String PARAM = "param/";
    public static final String EMA = "ema/";
    public static final String OPTIMIZER = "opt/";

    private final String[] names;
    private final long[][] shapes;
    private final float[] values;
    private final long optimizerSteps;
    private final long emaUpdates;

    // a class, not a record: Spark's Kryo (4.x) cannot create a FieldSerializer for records
    public WeightSnapshot(String[] names, long[][] shapes, float[] values, long optimizerSteps, long emaUpdates) {
        Checks.notNull(names, "WeightSnapshot", "names");
        Checks.notNull(values, "WeightSnapshot", "values");
        Checks.require(shapes != null && shapes.length == names.length, "WeightSnapshot", "shapes",
                shapes == null ? null : shapes.length, "needs one shape per name (" + names.length + ")");
        long total = 0;
        for (long[] s : shapes) {
            total += Arrays.stream(s).reduce(1, Math::multiplyExact);
        }
        Checks.require(total == values.length, "WeightSnapshot", "values.length", values.length,
                "must equal the total size of the shapes " + total);
        this.names = names;
        this.shapes = shapes;
        this.values = values;
        this.optimizerSteps = optimizerSteps;
        this.emaUpdates = emaUpdates;
    }

    /** Tensor names, in order (the live array). */
    public String[] names() {
        return names;
    }

    /** One shape per name (the live array). */
    public long[][] shapes() {
        return shapes;
    }

    /** All values, tensor after tensor (the live array). */
    public float[] values() {
        return values;
    }

    public long optimizerSteps() {
        return optimizerSteps;
    }

    public long emaUpdates() {
        return emaUpdates;
    }

    /** The state of a built model: its trained arrays, EMA weights and (when {@code withOptimizer}) optimiser state. */
    public static WeightSnapshot capture(TrainingSpec.Built model, boolean withOptimizer) {
        Map<String, INDArray> all = new LinkedHashMap<>();
        model.step().graph().trainables().forEach((k, v) -> all.put(PARAM + k, v));
        if (model.ema() != null) {
            model.ema().weights().forEach((k, v) -> all.put(EMA + k, v));
        }
        if (withOptimizer) {
            model.step().optimizer().state().forEach((k, v) -> all.put(OPTIMIZER + k, v));
        }
        return of(all, withOptimizer ? model.step().optimizer().steps() : 0,
                model.ema() == null ? 0 : model.ema().updates());
    }

    /** Flattens named arrays (any float type; cast to float32). */
    public static WeightSnapshot of(Map<String, INDArray> tensors, long optimizerSteps, long emaUpdates) {
        String[] names = tensors.keySet().toArray(new String[0]);
        long[][] shapes = new long[names.length][];
        long total = 0;
        for (int i = 0; i < names.length; i++) {
            INDArray a = tensors.get(names[i]);
            shapes[i] = a.shape();
            total += a.length();
        }
        float[] values = new float[Math.toIntExact(total)];
        int offset = 0;
        for (String name : names) {
            INDArray a = tensors.get(name);
            float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            System.arraycopy(v, 0, values, offset, (int) a.length());
            offset += (int) a.length();
        }
        return new WeightSnapshot(names, shapes, values, optimizerSteps, emaUpdates);
    }

    /** The tensors whose names start with {@code prefix}, prefix removed, as fresh float32 arrays. */
    public Map<String, INDArray> tensors(String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        int offset = 0;
        for (int i = 0; i < names.length; i++) {
            int n = Math.toIntExact(Arrays.stream(shapes[i]).reduce(1, Math::multiplyExact));
            if (names[i].startsWith(prefix)) {
                float[] part = Arrays.copyOfRange(values, offset, offset + n);
                out.put(names[i].substring(prefix.length()), Nd4j.create(part, shapes[i], 'c'));
            }
            offset += n;
        }
        return out;
    }

    /**
     * Loads this state into a model built from the same spec: the trained arrays (assigned in place, so every graph
     * over them sees the new values), the EMA and, with {@code withOptimizer}, the optimiser state.
     */
    public void restoreInto(TrainingSpec.Built model, boolean withOptimizer) {
        Map<String, INDArray> trainables = model.step().graph().trainables();
        Map<String, INDArray> params = tensors(PARAM);
        Checks.require(params.keySet().equals(trainables.keySet()), "WeightSnapshot", "names", params.keySet(),
                "must hold exactly the model's trained arrays " + trainables.keySet());
        params.forEach((k, v) -> {
            INDArray target = trainables.get(k);
            Checks.require(Arrays.equals(target.shape(), v.shape()), "WeightSnapshot", "shape of " + k,
                    Arrays.toString(v.shape()), "must be " + Arrays.toString(target.shape()));
            target.assign(v);
        });
        if (model.ema() != null) {
            model.ema().restore(tensors(EMA), emaUpdates);
        }
        if (withOptimizer) {
            model.step().optimizer().restore(tensors(OPTIMIZER), optimizerSteps);
        }
    }

    /** True when every value is finite. */
    public boolean isFinite() {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** True when both hold the same tensors in the same order with the same shapes. */
    public boolean sameLayout(WeightSnapshot o) {
        return Arrays.equals(names, o.names) && Arrays.deepEquals(shapes, o.shapes);
    }
}
