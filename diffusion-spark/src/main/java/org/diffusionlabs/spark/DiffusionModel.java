package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.TrainingSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * What {@link DiffusionTrainer#fit} returns: the spec, the trained arrays and EMA weights after {@link #step()}
 * optimiser steps, and how many partition contributions were rejected on the way. Immutable (arrays are handed out
 * as fresh copies); {@link #build()} gives a ready model (e.g. to sample from).
 */
public final class DiffusionModel {
    private final TrainingSpec spec;
    private final WeightSnapshot state;
    private final long step;
    private final int rejectedContributions;

    DiffusionModel(TrainingSpec spec, WeightSnapshot state, long step, int rejectedContributions) {
        this.spec = Checks.notNull(spec, "DiffusionModel", "spec");
        this.state = Checks.notNull(state, "DiffusionModel", "state");
        this.step = step;
        this.rejectedContributions = rejectedContributions;
    }

    public TrainingSpec spec() {
        return spec;
    }

    /** Optimiser steps trained. */
    public long step() {
        return step;
    }

    /** Partition contributions rejected as non-finite over the whole fit. */
    public int rejectedContributions() {
        return rejectedContributions;
    }

    /** The trained arrays by name (U-Net state-dict names, label encoder, learned null embeddings); fresh copies. */
    public Map<String, INDArray> weights() {
        return state.tensors(WeightSnapshot.PARAM);
    }

    /** The EMA weights (empty without EMA); fresh copies. */
    public Map<String, INDArray> emaWeights() {
        return state.tensors(WeightSnapshot.EMA);
    }

    /** The model rebuilt from the spec with these weights and EMA (a fresh optimiser). */
    public TrainingSpec.Built build() {
        TrainingSpec.Built b = spec.build();
        state.restoreInto(b, false);
        return b;
    }
}
