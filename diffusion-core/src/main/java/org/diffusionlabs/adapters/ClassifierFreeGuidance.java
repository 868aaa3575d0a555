package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Classifier-free guidance (Ho and Salimans 2022; GLIDE), port of {@code diffusion_labs/modules/adapters/cfguidance.py}
 * (spec §5.1): one model learns both the conditional and the unconditional distribution because training replaces
 * each sample's condition by a learned "null" embedding with probability p; at inference the two predictions are
 * extrapolated, {@code (1 + g)·cond − g·uncond}.
 *
 * <p><b>Train / eval split.</b> The reference switches on {@code self.training}; here the two paths are separate
 * methods and there is no mode flag:
 * <ul>
 *   <li>{@link #predict} is the reference's <em>eval</em> forward: deterministic, uses the evaluation null
 *       embeddings; with guidance ≠ 0 and at least one guided condition present it runs the model once on the
 *       2b batch [conditional; unconditional].</li>
 *   <li>{@link #dropConditions} / {@link #trainingForward} are the <em>training</em> forward in eager form: one
 *       {@code torch.rand(b, 1, …)} draw per present key (dimCond order) from the given {@link Rng}, null embedding
 *       where {@code r < p}. {@link #keepMask} makes the same draws as 0/1 masks and {@link #buildTraining} applies
 *       them inside a trainer's SameDiff graph, where the learned null embedding is a trainable variable (both
 *       implemented by {@link ConditionDropout}).</li>
 * </ul>
 * Parity quirks kept (spec §14.4): the learned null embedding starts U[0,1) (not zeros), and the evaluation null
 * embeddings are the training arrays themselves unless overridden. Instances are immutable apart from the
 * null-embedding values ({@link #load}); {@link #withGuidance} shares them.
 */
public final class ClassifierFreeGuidance implements DenoisingModel {
    private static final String OWNER = "ClassifierFreeGuidance";

    private final DenoisingModel model;
    private final Map<String, long[]> dimCond;
    private final Map<String, Double> p;
    private final double guidance;
    private final NullEmbeddings nulls;
    private final ConditionDropout dropout;

    private ClassifierFreeGuidance(DenoisingModel model, Map<String, long[]> dimCond, Map<String, Double> p,
                                   double guidance, NullEmbeddings nulls) {
        this.model = model;
        this.dimCond = dimCond;
        this.p = p;
        this.guidance = guidance;
        this.nulls = nulls;
        this.dropout = new ConditionDropout(dimCond, p, nulls);
    }

    /** Starts a builder around {@code model}; add the guided conditions with {@link Builder#addCondition}. */
    public static Builder builder(DenoisingModel model) {
        return new Builder(model);
    }

    /** The wrapped model. */
    @Override
    public void releaseMemory() {
        model.releaseMemory();
    }

    public DenoisingModel model() {
        return model;
    }

    /** The guidance scale g. */
    public double guidance() {
        return guidance;
    }

    /** The same adapter (same model, sharing the same null-embedding arrays) with guidance {@code g}. */
    public ClassifierFreeGuidance withGuidance(double g) {
        return new ClassifierFreeGuidance(model, dimCond, p, Checks.finite(g, OWNER, "guidance"), nulls);
    }

    /**
     * The same adapter (sharing the same null-embedding arrays) around {@code other}, e.g. a replica of the model
     * for another thread.
     */
    public ClassifierFreeGuidance withModel(DenoisingModel other) {
        return new ClassifierFreeGuidance(Checks.notNull(other, OWNER, "model"), dimCond, p, guidance, nulls);
    }

    /** Condition name → shape without the batch dimension, in guidance order (copies). */
    public Map<String, long[]> dimCond() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        dimCond.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** Condition name → drop probability (the reference's {@code _get_prob_dict} result). */
    public Map<String, Double> probabilities() {
        return p;
    }

    /**
     * The adapter's own parameters under the reference state-dict names, {@code train_unconditional_embedding.<key>}
     * for every key then {@code eval_unconditional_embedding.<key>}; live arrays (aliased entries are one array).
     */
    public Map<String, INDArray> stateDict() {
        return nulls.stateDict();
    }

    /**
     * Strictly loads {@code stateDict} names (as written by the reference, e.g. {@code tiny_cfguidance_extra}):
     * every name present with its shape, nothing else; values are assigned in place.
     *
     * @throws IllegalArgumentException listing every missing, unexpected or mis-shaped entry
     */
    public void load(Map<String, INDArray> stateDict) {
        nulls.load(stateDict);
    }

    /** True for state-dict entries that train (learned null embeddings); user eval overrides and zeros are frozen. */
    public boolean isTrainable(String stateDictName) {
        return nulls.trainable(stateDictName);
    }

    // ----------------------------------------------------------------------------------------------- eval path

    /**
     * The reference's eval forward. With guidance 0, or without any guided condition in {@code c}, one model call
     * whose absent guided keys get the evaluation null embedding expanded to the batch. Otherwise one call on
     * the batch [cond; uncond] (x, t and non-guided inputs duplicated), returning {@code (1+g)·cond − g·uncond},
     * the conditional half of {@code variance_value}, and mean / log variance as the model returned them.
     */
    @Override
    public DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c) {
        int b = checkBatch(xt, t, c);
        boolean anyGuided = dimCond.keySet().stream().anyMatch(c::has);
        if (guidance == 0.0 || !anyGuided) {
            LinkedHashMap<String, INDArray> merged = new LinkedHashMap<>();
            for (String key : dimCond.keySet()) {
                merged.put(key, c.has(key) ? checkedCondition(c, key, b) : BatchRows.expand(nulls.eval(key), b));
            }
            return model.predict(xt, t, withOthers(merged, c, false));
        }
        LinkedHashMap<String, INDArray> merged = new LinkedHashMap<>();
        for (String key : dimCond.keySet()) {
            INDArray nul = nulls.eval(key);
            if (c.has(key)) {
                INDArray cond = checkedCondition(c, key, b);
                merged.put(key, Nd4j.concat(0, cond, BatchRows.expand(nul, b).castTo(cond.dataType())));
            } else {
                merged.put(key, BatchRows.expand(nul, 2 * b));
            }
        }
        DiffusionOutput out = model.predict(Nd4j.concat(0, xt, xt), Nd4j.concat(0, t, t), withOthers(merged, c, true));
        INDArray pred = out.prediction();
        if (pred.rank() == 0 || pred.size(0) != 2L * b) {
            throw new IllegalStateException(OWNER + ": the wrapped model returned a prediction of shape "
                    + Arrays.toString(pred.shape()) + " for a doubled batch of " + 2 * b);
        }
        INDArray cond = BatchRows.rows(pred, 0, b);
        INDArray uncond = BatchRows.rows(pred, b, 2 * b);
        INDArray guided = cond.mul(1.0 + guidance).subi(uncond.mul(guidance));
        INDArray variance = out.varianceValue() == null ? null : BatchRows.rows(out.varianceValue(), 0, b);
        return new DiffusionOutput(guided, variance, out.mean(), out.logVariance());
    }

    // ------------------------------------------------------------------------------------------- training path

    /**
     * The training-mode condition merge (eager): for each guided key present in {@code c} (dimCond order) draws
     * {@code batch} float32 uniforms (as {@code torch.rand(b, 1, …)}) and replaces the rows with {@code r < p[key]}
     * by the training null embedding; absent keys get the null embedding expanded to the batch (no draw);
     * non-guided inputs follow unchanged.
     */
    public Conditioning dropConditions(Conditioning c, int batch, Rng rng) {
        Checks.notNull(c, OWNER, "c");
        Checks.notNull(rng, OWNER, "rng");
        Checks.positive(batch, OWNER, "batch");
        LinkedHashMap<String, INDArray> merged = new LinkedHashMap<>();
        for (String key : dimCond.keySet()) {
            INDArray nul = nulls.train(key);
            if (!c.has(key)) {
                merged.put(key, BatchRows.expand(nul, batch));
                continue;
            }
            INDArray out = checkedCondition(c, key, batch).dup('c');
            boolean[] drop = dropout.drawDrops(key, batch, rng);
            INDArray row = nul.castTo(out.dataType()).slice(0);
            for (int i = 0; i < batch; i++) {
                if (drop[i]) {
                    out.slice(i).assign(row);
                }
            }
            merged.put(key, out);
        }
        return withOthers(merged, c, false);
    }

    /**
     * The training forward, eager: {@code model.predict(xt, t, dropConditions(c, b, rng))}. The wrapped model runs
     * its deterministic path (the U-Net without feature dropout); dropout-bearing training uses {@link #buildTraining}.
     */
    public DiffusionOutput trainingForward(INDArray xt, INDArray t, Conditioning c, Rng rng) {
        int b = checkBatch(xt, t, c);
        return model.predict(xt, t, dropConditions(c, b, rng));
    }

    /**
     * Keep masks for {@link #buildTraining}: per guided key (dimCond order) a float32 {@code [batch, 1]} array, 1 =
     * keep the condition, 0 = use the null embedding. Draws exactly as {@link #dropConditions} does when every
     * guided key is present.
     */
    public Map<String, INDArray> keepMask(int batch, Rng rng) {
        return dropout.keepMask(batch, rng);
    }

    /**
     * The training-mode condition merge as SameDiff graph: for every guided key, {@code cond·keep + null·(1 − keep)}
     * with the keep mask {@code [b, 1]} (a placeholder the trainer fills from {@link #keepMask}) broadcast over the
     * embedding; absent keys get the null embedding broadcast to the batch of any keep mask. The training null
     * embedding is declared as variable {@code train_unconditional_embedding.<key>} initialised with (and, as the
     * U-Net parameters, backed by) the live array when learned, as a constant otherwise; an existing variable of
     * that name is reused. Non-guided entries of {@code cond} are returned unchanged after the guided ones.
     */
    public Map<String, SDVariable> buildTraining(SameDiff sd, Map<String, SDVariable> cond, Map<String, SDVariable> keepMasks) {
        return dropout.buildTraining(sd, cond, keepMasks);
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private int checkBatch(INDArray xt, INDArray t, Conditioning c) {
        Checks.notNull(xt, OWNER, "xt");
        Checks.notNull(t, OWNER, "t");
        Checks.notNull(c, OWNER, "c");
        Checks.require(xt.rank() >= 1, OWNER, "xt", xt.shape(), "must have a batch dimension");
        int b = Math.toIntExact(xt.size(0));
        Checks.require(t.rank() >= 1 && t.size(0) == b, OWNER, "t", t.shape(), "needs one timestep per sample (" + b + ")");
        return b;
    }

    /** The condition of {@code key}, checked to be floating point {@code [b, *dim]}, in the merge dtype. */
    private INDArray checkedCondition(Conditioning c, String key, long b) {
        INDArray v = c.get(key);
        long[] want = new long[dimCond.get(key).length + 1];
        want[0] = b;
        System.arraycopy(dimCond.get(key), 0, want, 1, want.length - 1);
        Checks.require(Arrays.equals(v.shape(), want), OWNER, "conditioning '" + key + "'", v.shape(),
                "must have shape " + Arrays.toString(want));
        Checks.require(v.dataType().isFPType(), OWNER, "conditioning '" + key + "'", v.dataType(), "must be floating point");
        return v.castTo(BatchRows.mergedType(v));
    }

    /** Guided entries first (dimCond order), then the non-guided inputs of {@code c}, duplicated on demand. */
    private Conditioning withOthers(LinkedHashMap<String, INDArray> merged, Conditioning c, boolean duplicate) {
        for (Map.Entry<String, INDArray> e : c.asMap().entrySet()) {
            if (!dimCond.containsKey(e.getKey())) {
                merged.put(e.getKey(), duplicate ? Nd4j.concat(0, e.getValue(), e.getValue()) : e.getValue());
            }
        }
        return Conditioning.of(merged);
    }

    /**
     * Builder with the reference defaults: p = 0.1 for every key, guidance 0, learned null embedding (needs
     * {@link #optInitRng}), no user null embeddings.
     */
    public static final class Builder {
        private final DenoisingModel model;
        private final LinkedHashMap<String, long[]> dimCond = new LinkedHashMap<>();
        private double pAll = 0.1;
        private Map<String, Double> pPerKey;
        private double guidance;
        private boolean learnNullEmbedding = true;
        private Rng initRng;
        private Map<String, INDArray> trainNull;
        private Map<String, INDArray> evalNull;

        private Builder(DenoisingModel model) {
            this.model = Checks.notNull(model, OWNER, "model");
        }

        /** A guided condition {@code name} of shape {@code [b, *shape]} (order of calls = dimCond order). */
        public Builder addCondition(String name, long... shape) {
            Checks.require(name != null && !name.isEmpty(), OWNER, "dimCond", name, "names must be non-empty");
            Checks.require(!dimCond.containsKey(name), OWNER, "dimCond", name, "duplicate condition");
            Checks.require(shape != null && shape.length > 0 && Arrays.stream(shape).allMatch(s -> s > 0), OWNER,
                    "dimCond." + name, shape, "shape without batch must have >= 1 positive dimensions");
            dimCond.put(name, shape.clone());
            return this;
        }

        /** Every condition of {@code dims}, in its iteration order. */
        public Builder addConditions(Map<String, long[]> dims) {
            Checks.notNull(dims, OWNER, "dimCond").forEach(this::addCondition);
            return this;
        }

        /** One drop probability for every key (reference {@code p} as a number). */
        public Builder optP(double p) {
            this.pAll = p;
            this.pPerKey = null;
            return this;
        }

        /** Drop probability per key; its key set must equal dimCond's (reference {@code p} as a dict). */
        public Builder optP(Map<String, Double> p) {
            this.pPerKey = Checks.notNull(p, OWNER, "p");
            return this;
        }

        public Builder optGuidance(double g) {
            this.guidance = g;
            return this;
        }

        /** true (default): U[0,1) init from {@link #optInitRng}, trainable; false: zeros, frozen. */
        public Builder optLearnNullEmbedding(boolean learn) {
            this.learnNullEmbedding = learn;
            return this;
        }

        /** The generator of the U[0,1) null-embedding init (one {@code rand([1, *dim])} per key, dimCond order). */
        public Builder optInitRng(Rng rng) {
            this.initRng = rng;
            return this;
        }

        /** Initial training null embeddings {@code [1, *dim]} for some keys (copied). */
        public Builder optTrainNullEmbeddings(Map<String, INDArray> embeddings) {
            this.trainNull = embeddings;
            return this;
        }

        /** Evaluation null embeddings {@code [1, *dim]} replacing the (aliased) training ones for some keys (frozen). */
        public Builder optEvalNullEmbeddings(Map<String, INDArray> embeddings) {
            this.evalNull = embeddings;
            return this;
        }

        public ClassifierFreeGuidance build() {
            Map<String, long[]> dims = Collections.unmodifiableMap(new LinkedHashMap<>(dimCond));
            Map<String, Double> probs = pPerKey == null ? Probabilities.uniform(dims, pAll) : Probabilities.perKey(dims, pPerKey);
            Checks.finite(guidance, OWNER, "guidance");
            NullEmbeddings nulls = NullEmbeddings.create(dims, learnNullEmbedding, trainNull, evalNull, initRng);
            return new ClassifierFreeGuidance(model, dims, probs, guidance, nulls);
        }
    }
}
