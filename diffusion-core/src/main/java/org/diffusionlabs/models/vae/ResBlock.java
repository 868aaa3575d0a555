package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.Dropout;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE's residual block, the reference's {@code res_block(in, out, dropout, norm_groups, norm_eps)}: the
 * diffusion_labs {@code ResBlock} without a conditional projection, {@code out = skip(x) +
 * conv3(dropout(SiLU(GN(conv3(SiLU(GN(x)))))))}, where skip is a 1×1 conv when the width changes and the identity
 * otherwise. (The reference class's conditional, up- and down-sampling options serve the ADM U-Net, built in
 * {@code models.adm}; the VAE never uses them.)
 *
 * <p>Names: {@code in_block.0} (GN), {@code in_block.3} (conv), {@code out_group_norm}, {@code out_block.2} (conv),
 * {@code skip_block.1} (1×1 conv); the skip conv is drawn first, as the reference constructs it before the block.
 */
public final class ResBlock implements VaeModule {
    private final String prefix;
    private final long in;
    private final long out;
    private final double dropoutP;
    private final int groups;
    private final double eps;
    private GroupNormAct inNorm;
    private Conv2d inConv;
    private GroupNormAct outNorm;
    private Dropout dropout;
    private Conv2d outConv;
    private Conv2d skipConv;

    /**
     * @throws IllegalArgumentException when a width is not divisible by {@code groups} or dropout is outside [0, 1)
     */
    public ResBlock(Parameters p, String prefix, long in, long out, double dropout, int groups, double eps) {
        Checks.require(groups > 0 && in % groups == 0 && out % groups == 0, "ResBlock", "norm_groups", groups,
                "must divide in_channels " + in + " and out_channels " + out);
        Checks.require(dropout >= 0 && dropout < 1, "ResBlock", "dropout", dropout, "must be in [0, 1)");
        this.prefix = prefix;
        this.in = in;
        this.out = out;
        this.dropoutP = dropout;
        this.groups = groups;
        this.eps = eps;
        for (String m : new String[] {"in_block.0", "in_block.3", "out_group_norm", "out_block.2"}) {
            VaeParameters.reserve(p, VaeParameters.at(prefix, m));
        }
        if (in != out) {
            VaeParameters.conv(p, VaeParameters.at(prefix, "skip_block.1"), in, out, 1);
        }
        VaeParameters.norm(p, VaeParameters.at(prefix, "in_block.0"), in);
        VaeParameters.conv(p, VaeParameters.at(prefix, "in_block.3"), in, out, 3);
        VaeParameters.norm(p, VaeParameters.at(prefix, "out_group_norm"), out);
        VaeParameters.conv(p, VaeParameters.at(prefix, "out_block.2"), out, out, 3);
    }

    public long in() {
        return in;
    }

    public long out() {
        return out;
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        inNorm = new GroupNormAct(g, VaeParameters.at(prefix, "in_block.0"), groups, eps, true, kernels);
        inConv = new Conv2d(g, VaeParameters.at(prefix, "in_block.3"));
        outNorm = new GroupNormAct(g, VaeParameters.at(prefix, "out_group_norm"), groups, eps, true, kernels);
        dropout = new Dropout(kernels);
        outConv = new Conv2d(g, VaeParameters.at(prefix, "out_block.2"));
        skipConv = in != out ? new Conv2d(g, VaeParameters.at(prefix, "skip_block.1")) : null;
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise noise, boolean train) {
        INDArray h1 = inNorm.forward(arena, x, train);
        INDArray h2 = inConv.forward(arena, h1, train);
        if (!train) {
            arena.give(h1);
        }
        INDArray h3 = outNorm.forward(arena, h2, train);
        if (!train) {
            arena.give(h2);
        }
        dropout.forward(h3, dropoutP > 0 ? noise.mask(arena, dropoutP, h3.shape()) : null);
        INDArray y = outConv.forward(arena, h3, train);
        if (!train) {
            arena.give(h3);
        }
        if (skipConv == null) {
            y.addi(x);
        } else {
            INDArray s = skipConv.forward(arena, x, train);
            y.addi(s);
            arena.give(s);
        }
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dh = dropout.backward(outConv.backward(arena, dy));
        dh = outNorm.backward(arena, dh, null, null);
        INDArray dIn = inConv.backward(arena, dh);
        arena.give(dh);
        INDArray dx = inNorm.backward(arena, dIn, null, null);
        if (skipConv == null) {
            dx.addi(dy);
        } else {
            INDArray ds = skipConv.backward(arena, dy);
            dx.addi(ds);
            arena.give(ds);
        }
        arena.give(dy);
        return dx;
    }
}
