package org.diffusionlabs.training;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Updates parameters in place from their gradients, one optimiser step at a time ({@link AdamW}, {@link Sgd}).
 * Its state (moments) is a flat map of named arrays, saved as {@code optimizer.safetensors} with checkpoints and
 * shipped (and averaged) between Spark rounds.
 */
public interface Optimizer {
    /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
    void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr);

    /** Updates made so far. */
    long steps();

    /** The state arrays by name (live arrays; empty for a stateless optimiser or before the first step). */
    Map<String, INDArray> state();

    /** Restores what {@link #state()} and {@link #steps()} returned. */
    void restore(Map<String, INDArray> state, long steps);
}
