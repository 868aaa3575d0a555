package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019) with PyTorch's update order and defaults (β = (0.9, 0.999), ε = 1e-8,
 * weight decay 0.01): decoupled decay p ← p·(1 − lr·wd), moments m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g²,
 * then p ← p − lr/(1 − β1^k) · m / (√v/√(1 − β2^k) + ε). Updates parameters in place. The
 * moments and step count are its state, saved with checkpoints.
 */
public final class AdamW implements Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long step;
    private INDArray mFlat;
    private INDArray vFlat;
    private List<String> flatNames = List.of();

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

    /**
     * One update of every parameter that has a gradient, at learning rate {@code lr}: one fused kernel pass per
     * tensor over its parameter, gradient and moments (stored flat, exposed as per-tensor views); nothing is
     * allocated after the first step.
     */
    @Override
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        Checks.require(lr >= 0 && Double.isFinite(lr), "AdamW", "lr", lr, "must be finite and >= 0");
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        List<String> names = new ArrayList<>();
        List<INDArray> ps = new ArrayList<>();
        List<INDArray> gs = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray g = grads.get(e.getKey());
            if (g != null) {
                names.add(e.getKey());
                ps.add(e.getValue());
                gs.add(g);
            }
        }
        if (names.isEmpty()) {
            return;
        }
        layout(names, ps);
        // one fused pass per tensor (the engine's AdamW kernel: the same float operations in the same order as the
        // composed update, so the bits are unchanged), moments as views into the flat state
        org.diffusionlabs.engine.kernels.Kernels kernels = org.diffusionlabs.engine.kernels.Kernels.get();
        for (int i = 0; i < ps.size(); i++) {
            INDArray g = gs.get(i);
            INDArray contiguousG = g.ordering() == 'c' && g.elementWiseStride() == 1 ? g : g.dup('c');
            kernels.adamWEma(ps.get(i), contiguousG, m.get(names.get(i)), v.get(names.get(i)), null, lr, beta1, beta2,
                    eps, weightDecay, bc1, bc2Sqrt, 0.0);
        }
    }

    /**
     * Makes the flat moments cover exactly {@code names} in this order (moment views keyed by name in {@link #m} and
     * {@link #v}), carrying over existing moments and starting new ones at zero.
     */
    private void layout(List<String> names, List<INDArray> ps) {
        if (names.equals(flatNames)) {
            return;
        }
        // optimiser state outlives the step (and its workspace)
        Workspaces.outside(() -> allocate(names, ps));
    }

    private void allocate(List<String> names, List<INDArray> ps) {
        long total = ps.stream().mapToLong(INDArray::length).sum();
        INDArray newM = Nd4j.zeros(DataType.FLOAT, total);
        INDArray newV = Nd4j.zeros(DataType.FLOAT, total);
        Map<String, INDArray> viewsM = new LinkedHashMap<>();
        Map<String, INDArray> viewsV = new LinkedHashMap<>();
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            long[] shape = ps.get(i).shape();
            long n = ps.get(i).length();
            INDArray vm = newM.get(NDArrayIndex.interval(offset, offset + n)).reshape(shape);
            INDArray vv = newV.get(NDArrayIndex.interval(offset, offset + n)).reshape(shape);
            INDArray oldM = m.get(names.get(i));
            INDArray oldV = v.get(names.get(i));
            if (oldM != null) {
                vm.assign(oldM);
            }
            if (oldV != null) {
                vv.assign(oldV);
            }
            viewsM.put(names.get(i), vm);
            viewsV.put(names.get(i), vv);
            offset += n;
        }
        m.forEach(viewsM::putIfAbsent);
        v.forEach(viewsV::putIfAbsent);
        m.clear();
        m.putAll(viewsM);
        v.clear();
        v.putAll(viewsV);
        mFlat = newM;
        vFlat = newV;
        flatNames = List.copyOf(names);
    }

    @Override
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

    /** The moments as {@code m.<name>} and {@code v.<name>} (live arrays), as checkpoints store them. */
    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> all = new LinkedHashMap<>();
        m.forEach((k, a) -> all.put("m." + k, a));
        v.forEach((k, a) -> all.put("v." + k, a));
        return all;
    }

    /** Restores what {@link #state()} returned. */
    @Override
    public void restore(Map<String, INDArray> state, long steps) {
        Map<String, INDArray> first = new LinkedHashMap<>();
        Map<String, INDArray> second = new LinkedHashMap<>();
        state.forEach((k, a) -> {
            Checks.require(k.startsWith("m.") || k.startsWith("v."), "AdamW", "state", k, "must start with m. or v.");
            (k.startsWith("m.") ? first : second).put(k.substring(2), a);
        });
        restore(first, second, steps);
    }

    /** Restores the state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #steps()}. */
    public void restore(Map<String, INDArray> first, Map<String, INDArray> second, long steps) {
        Checks.require(steps >= 0, "AdamW", "steps", steps, "must be >= 0");
        m.clear();
        v.clear();
        Workspaces.outside(() -> {
            first.forEach((k, a) -> m.put(k, a.castTo(DataType.FLOAT).dup()));
            second.forEach((k, a) -> v.put(k, a.castTo(DataType.FLOAT).dup()));
        });
        flatNames = List.of();
        step = steps;
    }
}
