package org.diffusionlabs.adapters;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
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
 * The null ("unconditional") embeddings of classifier-free guidance, one {@code [1, *dim]} float32 array per
 * condition key: the training map and the evaluation map of the reference's {@code CFGuidance}
 * ({@code train_unconditional_embedding} / {@code eval_unconditional_embedding} parameter dicts).
 *
 * <p>As in the reference, an evaluation entry is the <em>same array object</em> as the training entry unless an
 * evaluation embedding was given for that key, so training updates are visible at evaluation. User-given
 * embeddings are copied (the reference wraps the caller's tensor without copying). Loading assigns in place, so
 * aliasing and graphs built on these arrays keep working.
 */
final class NullEmbeddings {
    static final String TRAIN_PREFIX = "train_unconditional_embedding.";
    static final String EVAL_PREFIX = "eval_unconditional_embedding.";
    private static final String OWNER = "ClassifierFreeGuidance";

    private final Map<String, INDArray> train;
    private final Map<String, INDArray> eval;
    private final boolean learned;

    private NullEmbeddings(Map<String, INDArray> train, Map<String, INDArray> eval, boolean learned) {
        this.train = Collections.unmodifiableMap(train);
        this.eval = Collections.unmodifiableMap(eval);
        this.learned = learned;
    }

    /**
     * Creates the maps in {@code dimCond} order.
     *
     * @param learned   true: keys without a user embedding start as U[0,1) from {@code rng} (one {@code torch.rand}
     *                  per key, dimCond order) and the training embeddings are trainable; false: zeros, frozen
     * @param trainInit user training embeddings (may be null or cover only some keys)
     * @param evalInit  user evaluation embeddings overriding the aliased training ones (frozen); may be null
     * @param rng       required only when some key needs the random initialisation
     */
    static NullEmbeddings create(Map<String, long[]> dimCond, boolean learned, Map<String, INDArray> trainInit,
                                 Map<String, INDArray> evalInit, Rng rng) {
        requireKnownKeys(dimCond, trainInit, "trainNullEmbeddings");
        requireKnownKeys(dimCond, evalInit, "evalNullEmbeddings");
        LinkedHashMap<String, INDArray> train = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : dimCond.entrySet()) {
            String key = e.getKey();
            long[] shape = withUnitBatch(e.getValue());
            INDArray given = trainInit == null ? null : trainInit.get(key);
            if (given != null) {
                train.put(key, copyChecked(given, shape, TRAIN_PREFIX + key));
            } else if (learned) {
                Checks.require(rng != null, OWNER, "initRng", null,
                        "a learned null embedding without initial value for '" + key + "' needs an Rng (U[0,1) init)");
                train.put(key, rng.rand(shape));
            } else {
                train.put(key, Nd4j.zeros(DataType.FLOAT, shape));
            }
        }
        LinkedHashMap<String, INDArray> eval = new LinkedHashMap<>(train);
        for (String key : dimCond.keySet()) {
            INDArray given = evalInit == null ? null : evalInit.get(key);
            if (given != null) {
                eval.put(key, copyChecked(given, withUnitBatch(dimCond.get(key)), EVAL_PREFIX + key));
            }
        }
        return new NullEmbeddings(train, eval, learned);
    }

    /** Training null embedding of {@code key} (the live array). */
    INDArray train(String key) {
        return train.get(key);
    }

    /** Evaluation null embedding of {@code key} (the live array; the training one unless overridden). */
    INDArray eval(String key) {
        return eval.get(key);
    }

    /** Whether the state-dict entry {@code name} is a trainable parameter (learned training embeddings only). */
    boolean trainable(String name) {
        if (name.startsWith(TRAIN_PREFIX)) {
            return learned && train.containsKey(name.substring(TRAIN_PREFIX.length()));
        }
        if (name.startsWith(EVAL_PREFIX)) {
            String key = name.substring(EVAL_PREFIX.length());
            return learned && eval.containsKey(key) && eval.get(key) == train.get(key);
        }
        return false;
    }

    /** True when the evaluation entry of {@code key} is the training array itself. */
    boolean aliased(String key) {
        return eval.get(key) == train.get(key);
    }

    /** Reference state-dict view: all training entries, then all evaluation entries (live arrays). */
    Map<String, INDArray> stateDict() {
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        train.forEach((k, v) -> out.put(TRAIN_PREFIX + k, v));
        eval.forEach((k, v) -> out.put(EVAL_PREFIX + k, v));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Strictly loads a state dict: exactly the names of {@link #stateDict()}, each with its shape; aliased
     * train/eval pairs must carry equal values. Every problem is reported at once; nothing is written on error.
     */
    void load(Map<String, INDArray> source) {
        Checks.notNull(source, OWNER, "stateDict");
        Map<String, INDArray> mine = stateDict();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : mine.entrySet()) {
            INDArray s = source.get(e.getKey());
            if (s == null) {
                problems.add("missing " + e.getKey());
            } else if (!Arrays.equals(s.shape(), e.getValue().shape())) {
                problems.add("wrong shape " + e.getKey() + " " + Arrays.toString(s.shape()) + " (expected "
                        + Arrays.toString(e.getValue().shape()) + ")");
            } else if (!s.dataType().isFPType()) {
                problems.add("not floating point " + e.getKey() + " " + s.dataType());
            }
        }
        for (String k : source.keySet()) {
            if (!mine.containsKey(k)) {
                problems.add("unexpected " + k);
            }
        }
        if (problems.isEmpty()) {
            for (String key : train.keySet()) {
                INDArray t = source.get(TRAIN_PREFIX + key).castTo(DataType.FLOAT);
                INDArray v = source.get(EVAL_PREFIX + key).castTo(DataType.FLOAT);
                if (aliased(key) && !t.equalsWithEps(v, 0.0)) {
                    problems.add("different values for " + TRAIN_PREFIX + key + " and " + EVAL_PREFIX + key
                            + ", which are one shared parameter here");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("null embeddings do not match the adapter: " + String.join("; ", problems));
        }
        for (String key : train.keySet()) {
            train.get(key).assign(source.get(TRAIN_PREFIX + key).castTo(DataType.FLOAT));
            if (!aliased(key)) {
                eval.get(key).assign(source.get(EVAL_PREFIX + key).castTo(DataType.FLOAT));
            }
        }
    }

    /** {@code [1, *dim]}. */
    static long[] withUnitBatch(long[] dim) {
        long[] shape = new long[dim.length + 1];
        shape[0] = 1;
        System.arraycopy(dim, 0, shape, 1, dim.length);
        return shape;
    }

    private static INDArray copyChecked(INDArray given, long[] shape, String name) {
        Checks.require(Arrays.equals(given.shape(), shape), OWNER, name, given.shape(),
                "null embedding must have shape " + Arrays.toString(shape));
        Checks.require(given.dataType().isFPType(), OWNER, name, given.dataType(), "must be floating point");
        return given.castTo(DataType.FLOAT).dup('c');
    }

    private static void requireKnownKeys(Map<String, long[]> dimCond, Map<String, INDArray> given, String what) {
        if (given == null) {
            return;
        }
        for (String k : given.keySet()) {
            Checks.require(dimCond.containsKey(k), OWNER, what, k, "key is not a condition of dimCond " + dimCond.keySet());
        }
    }
}
