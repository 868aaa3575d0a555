package org.diffusionlabs.training;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Averages the loss terms and gradients of the micro-batches of one optimiser step (gradient accumulation): with
 * equal micro-batches of a per-sample-mean loss, the mean of their gradients is the gradient of the whole batch.
 * Sums in place into the first micro-batch's gradient arrays (the graph hands out fresh arrays per call); a single
 * micro-batch passes through unchanged, bit for bit.
 */
final class GradientAccumulator {
    private final Map<String, Double> losses = new LinkedHashMap<>();
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    private int count;

    void add(TrainingGraph.Step step) {
        step.losses().forEach((k, v) -> losses.merge(k, v, Double::sum));
        if (count == 0) {
            gradients.putAll(step.gradients());
        } else {
            gradients.forEach((k, g) -> {
                if (g != null) {
                    g.addi(step.gradients().get(k));
                }
            });
        }
        count++;
    }

    /** The mean loss terms and gradients over the micro-batches added so far (call once, at the end). */
    TrainingGraph.Step mean() {
        if (count == 0) {
            throw new IllegalStateException("GradientAccumulator: no micro-batch was added");
        }
        Map<String, Double> meanLosses = new LinkedHashMap<>();
        losses.forEach((k, v) -> meanLosses.put(k, v / count));
        if (count > 1) {
            gradients.values().forEach(g -> {
                if (g != null) {
                    g.divi(count);
                }
            });
        }
        return new TrainingGraph.Step(meanLosses, gradients);
    }
}
