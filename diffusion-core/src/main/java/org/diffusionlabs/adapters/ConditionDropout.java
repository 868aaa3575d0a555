package org.diffusionlabs.adapters;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training-time condition dropout of {@link ClassifierFreeGuidance}: the per-sample drop draws (as the
 * reference's {@code torch.rand(b, 1, …) < p}), the 0/1 keep masks built from them, and the SameDiff merge
 * {@code cond·keep + null·(1 − keep)} a trainer puts into its graph. Kept apart from the adapter so that the
 * eval path and the training graph each read on their own; shares the adapter's immutable dimCond and
 * probabilities and its live null embeddings.
 */
final class ConditionDropout {
    private static final String OWNER = "ClassifierFreeGuidance";

    private final Map<String, long[]> dimCond;
    private final Map<String, Double> p;
    private final NullEmbeddings nulls;

    ConditionDropout(Map<String, long[]> dimCond, Map<String, Double> p, NullEmbeddings nulls) {
        this.dimCond = dimCond;
        this.p = p;
        this.nulls = nulls;
    }

    /** {@code batch} uniforms compared in float32 with p, as {@code torch.rand(...) < p}. */
    boolean[] drawDrops(String key, int batch, Rng rng) {
        float threshold = (float) p.get(key).doubleValue();
        float[] r = rng.uniformFloats(batch);
        boolean[] drop = new boolean[batch];
        for (int i = 0; i < batch; i++) {
            drop[i] = r[i] < threshold;
        }
        return drop;
    }

    /** See {@link ClassifierFreeGuidance#keepMask}. */
    Map<String, INDArray> keepMask(int batch, Rng rng) {
        Checks.notNull(rng, OWNER, "rng");
        Checks.positive(batch, OWNER, "batch");
        LinkedHashMap<String, INDArray> out = new LinkedHashMap<>();
        for (String key : dimCond.keySet()) {
            boolean[] drop = drawDrops(key, batch, rng);
            float[] keep = new float[batch];
            for (int i = 0; i < batch; i++) {
                keep[i] = drop[i] ? 0f : 1f;
            }
            out.put(key, Nd4j.create(keep, new long[] {batch, 1}, 'c'));
        }
        return out;
    }

    /** See {@link ClassifierFreeGuidance#buildTraining}. */
    Map<String, SDVariable> buildTraining(SameDiff sd, Map<String, SDVariable> cond, Map<String, SDVariable> keepMasks) {
        Checks.notNull(sd, OWNER, "sd");
        Checks.notNull(cond, OWNER, "cond");
        Checks.notNull(keepMasks, OWNER, "keepMasks");
        SDVariable anyKeep = keepMasks.values().stream().findFirst().orElse(null);
        LinkedHashMap<String, SDVariable> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : dimCond.entrySet()) {
            String key = e.getKey();
            long[] maskShape = new long[e.getValue().length + 1];
            Arrays.fill(maskShape, 1L);
            maskShape[0] = -1L;
            SDVariable nul = nullVariable(sd, key);
            SDVariable c = cond.get(key);
            if (c != null) {
                Checks.require(keepMasks.containsKey(key), OWNER, "keepMasks", keepMasks.keySet(),
                        "condition '" + key + "' needs its keep mask");
                SDVariable keep = sd.reshape(keepMasks.get(key), maskShape);
                out.put(key, c.mul(keep).add(nul.mul(keep.rsub(1.0))));
            } else {
                Checks.require(anyKeep != null, OWNER, "keepMasks", keepMasks.keySet(),
                        "an absent condition '" + key + "' needs some keep mask for the batch size");
                out.put(key, nul.mul(sd.onesLike(sd.reshape(anyKeep, maskShape))));
            }
        }
        cond.forEach((k, v) -> {
            if (!dimCond.containsKey(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The training null embedding as graph variable (learned) or constant (frozen); reused when already declared. */
    private SDVariable nullVariable(SameDiff sd, String key) {
        String name = NullEmbeddings.TRAIN_PREFIX + key;
        SDVariable existing = sd.getVariable(name);
        if (existing != null) {
            return existing;
        }
        return nulls.trainable(name) ? sd.var(name, nulls.train(key)) : sd.constant(name, nulls.train(key));
    }
}
