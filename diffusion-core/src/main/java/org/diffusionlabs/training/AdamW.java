package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019) with PyTorch's update order and defaults (β = (0.9, 0.999), ε = 1e-8,
 * weight decay 0.01): decoupled decay p ← p·(1 − lr·wd), moments m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g²,
 * then p ← p − lr/(1 − β1^k) · m / (√v/√(1 − β2^k) + ε). Updates parameters in place, tensor by tensor. The
 * moments and step count are its state, saved with checkpoints.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW() {
        this(0.9, 0.999, 1e-8, 0.01);
    }

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        Checks.require(beta1 >= 0 && beta1 < 1, "AdamW", "beta1", beta1, "must be in [0, 1)");
        Checks.require(beta2 >= 0 && beta2 < 1, "AdamW", "beta2", beta2, "must be in [0, 1)");
        Checks.require(eps > 0, "AdamW", "eps", eps, "must be > 0");
        Checks.require(weightDecay >= 0, "AdamW", "weightDecay", weightDecay, "must be >= 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        Checks.require(lr >= 0 && Double.isFinite(lr), "AdamW", "lr", lr, "must be finite and >= 0");
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray g = grads.get(e.getKey());
            if (g == null) {
                continue;
            }
            INDArray p = e.getValue();
            INDArray mt = m.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
            INDArray vt = v.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
            p.muli(1 - lr * weightDecay);
            mt.muli(beta1).addi(g.mul(1 - beta1));
            vt.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(vt, true).divi(bc2Sqrt).addi(eps);
            p.subi(mt.div(denom).muli(lr / bc1));
        }
    }

    public long steps() {
        return step;
    }

    /** First moments by parameter name (live arrays). */
    public Map<String, INDArray> firstMoments() {
        return m;
    }

    /** Second moments by parameter name (live arrays). */
    public Map<String, INDArray> secondMoments() {
        return v;
    }

    /** Restores the state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #steps()}. */
    public void restore(Map<String, INDArray> first, Map<String, INDArray> second, long steps) {
        Checks.require(steps >= 0, "AdamW", "steps", steps, "must be >= 0");
        m.clear();
        v.clear();
        first.forEach((k, a) -> m.put(k, a.castTo(DataType.FLOAT).dup()));
        second.forEach((k, a) -> v.put(k, a.castTo(DataType.FLOAT).dup()));
        step = steps;
    }
}
