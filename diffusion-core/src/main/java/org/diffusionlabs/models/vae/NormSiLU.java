package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/** GroupNorm then SiLU (the encoder's and decoder's output nonlinearity), the GroupNorm at {@code prefix}. */
public final class NormSiLU implements VaeModule {
    private final String prefix;
    private final int groups;
    private final double eps;
    private GroupNormAct norm;

    /** @throws IllegalArgumentException when {@code channels} is not divisible by {@code groups} */
    public NormSiLU(Parameters p, String prefix, long channels, int groups, double eps) {
        Checks.require(groups > 0 && channels % groups == 0, "GroupNorm", "norm_groups", groups,
                "must divide the channels " + channels);
        this.prefix = prefix;
        this.groups = groups;
        this.eps = eps;
        VaeParameters.norm(p, prefix, channels);
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        norm = new GroupNormAct(g, prefix, groups, eps, true, kernels);
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        return norm.forward(arena, x, train);
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        return norm.backward(arena, dy, null, null);
    }
}
