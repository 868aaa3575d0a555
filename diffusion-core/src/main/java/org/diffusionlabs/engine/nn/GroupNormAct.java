package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.Profile;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.Slot;
import org.diffusionlabs.engine.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GroupNorm ({@code prefix.weight} γ, {@code prefix.bias} β, PyTorch's {@code GroupNorm(groups, C, eps)}), optionally
 * followed by a per-sample FiLM {@code ·(1 + scale) + shift} and a SiLU, as one fused kernel. It keeps only its
 * input and the per-group statistics; backward recomputes the normalised values.
 */
public final class GroupNormAct {
    private final Slot gamma;
    private final Slot beta;
    private final int groups;
    private final double eps;
    private final boolean silu;
    private final Kernels kernels;
    private INDArray x;
    private INDArray scale;
    private INDArray shift;
    private INDArray stats;

    public GroupNormAct(GradientBuffer grads, String prefix, int groups, double eps, boolean silu, Kernels kernels) {
        this.gamma = grads.slot(prefix + ".weight");
        this.beta = grads.slot(prefix + ".bias");
        this.groups = groups;
        this.eps = eps;
        this.silu = silu;
        this.kernels = kernels;
    }

    /** y = act(GN(x)); see {@link #forward(Arena, INDArray, INDArray, INDArray, boolean)}. */
    public INDArray forward(Arena arena, INDArray x, boolean train) {
        return forward(arena, x, null, null, train);
    }

    /** y = act(GN(x)·(1 + scale) + shift) with scale, shift [b, C] (or null); keeps what backward needs when {@code train}. */
    public INDArray forward(Arena arena, INDArray x, INDArray scale, INDArray shift, boolean train) {
        INDArray y = arena.take(x.shape());
        INDArray st = arena.take(x.size(0), groups, 2);
        long t0 = Profile.start();
        kernels.groupNormForward(x, gamma.value(), beta.value(), scale, shift, groups, eps, silu, y, st);
        Profile.add("groupnorm forward", t0);
        if (train) {
            this.x = x;
            this.scale = scale;
            this.shift = shift;
            this.stats = st;
        } else {
            arena.give(st);
        }
        return y;
    }

    /** The inference forward over channels-last arrays [b, H, W, C] (keeps nothing); scale, shift as above. */
    public INDArray forwardNhwc(Arena arena, INDArray x, INDArray scale, INDArray shift) {
        INDArray y = arena.take(x.shape());
        INDArray st = arena.take(x.size(0), groups, 2);
        long t0 = Profile.start();
        kernels.groupNormForwardNhwc(x, gamma.value(), beta.value(), scale, shift, groups, eps, silu, y, st);
        Profile.add("groupnorm forward", t0);
        arena.give(st);
        return y;
    }

    /**
     * dx (written in place of dy, which the caller hands over); accumulates dγ, dβ and writes dScale, dShift [b, C]
     * when the forward had them (pass null otherwise).
     */
    public INDArray backward(Arena arena, INDArray dy, INDArray dScale, INDArray dShift) {
        long t0 = Profile.start();
        kernels.groupNormBackward(x, gamma.value(), beta.value(), scale, shift, groups, silu, stats, dy, dy,
                gamma.grad(), beta.grad(), dScale, dShift);
        Profile.add("groupnorm backward", t0);
        arena.give(stats);
        x = scale = shift = stats = null;
        return dy;
    }
}
