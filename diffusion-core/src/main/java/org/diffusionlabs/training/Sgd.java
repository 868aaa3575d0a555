package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Plain stochastic gradient descent, p ← p − lr·g, with no state besides the step count. Its update is linear in
 * the gradient, so averaging the weights of N replicas after one step equals one step on the mean gradient: the
 * property the Spark parameter-averaging tests check.
 */
public final class Sgd implements Optimizer {
    private long steps;

    @Override
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        Checks.require(lr >= 0 && Double.isFinite(lr), "Sgd", "lr", lr, "must be finite and >= 0");
        steps++;
        params.forEach((k, p) -> {
            INDArray g = grads.get(k);
            if (g != null) {
                p.subi(g.mul(lr));
            }
        });
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, INDArray> state() {
        return Map.of();
    }

    @Override
    public void restore(Map<String, INDArray> state, long stepCount) {
        Checks.require(state.isEmpty(), "Sgd", "state", state.keySet(), "must be empty (plain SGD has no moments)");
        Checks.require(stepCount >= 0, "Sgd", "steps", stepCount, "must be >= 0");
        this.steps = stepCount;
    }
}
