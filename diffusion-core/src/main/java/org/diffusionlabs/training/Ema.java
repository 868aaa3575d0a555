package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of the trained weights, ema ← decay·ema + (1 − decay)·θ after every optimiser step,
 * as diffusers' training scripts keep it; sampling from the EMA weights usually gives cleaner images early in
 * training. An optional warm-up uses decay_k = min(decay, (1 + k)/(10 + k)) so the average is not dominated by the
 * random initial weights.
 */
public final class Ema {
    private final double decay;
    private final boolean warmup;
    private final Map<String, INDArray> shadow = new LinkedHashMap<>();
    private final Map<String, INDArray> scratch = new java.util.HashMap<>();
    private long updates;

    /**
     * @param decay  in [0, 1)
     * @param warmup ramp the decay up over the first updates
     */
    public Ema(Map<String, INDArray> params, double decay, boolean warmup) {
        Checks.require(decay >= 0 && decay < 1, "Ema", "decay", decay, "must be in [0, 1)");
        this.decay = decay;
        this.warmup = warmup;
        Workspaces.outside(() -> params.forEach((k, v) -> shadow.put(k, v.dup())));
    }

    /** The decay used by the next update. */
    public double currentDecay() {
        return warmup ? Math.min(decay, (1.0 + updates) / (10.0 + updates)) : decay;
    }

    /** Folds the current weights into the average (in place). */
    public void update(Map<String, INDArray> params) {
        double d = currentDecay();
        for (Map.Entry<String, INDArray> e : shadow.entrySet()) {
            INDArray p = params.get(e.getKey());
            Checks.require(p != null, "Ema", "params", e.getKey(), "is missing");
            // same float operations as shadow·d + p·(1 − d), with p·(1 − d) in a scratch reused every update
            INDArray tmp = scratch.computeIfAbsent(e.getKey(), k -> Workspaces.outside(() -> p.ulike()));
            e.getValue().muli(d).addi(tmp.assign(p).muli(1 - d));
        }
        updates++;
    }

    /** The averaged weights (live arrays). */
    public Map<String, INDArray> weights() {
        return Collections.unmodifiableMap(shadow);
    }

    public long updates() {
        return updates;
    }

    /** Restores averaged weights and the update count saved with a checkpoint. */
    public void restore(Map<String, INDArray> weights, long updateCount) {
        Checks.require(weights.keySet().equals(shadow.keySet()), "Ema", "weights", weights.keySet(),
                "must hold exactly the averaged parameters");
        weights.forEach((k, v) -> shadow.get(k).assign(v));
        this.updates = updateCount;
    }
}
