package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE's attention block ({@code AttentionResBlock(C, attn_module, norm_groups, norm_eps)}):
 * {@code out = x + conv1×1(attn(GN(x)))} with names {@code net.norm}, {@code net.attn.*}, {@code net.out}.
 * {@link #vanilla} is the reference's {@code attention_res_block}: a {@link VanillaAttention}, drawn before the
 * block's own output conv. A null attention module is the identity (as the reference tests use it).
 */
public final class AttentionResBlock implements VaeModule {
    private final String prefix;
    private final VaeModule attention;
    private final int groups;
    private final double eps;
    private GroupNormAct norm;
    private Conv2d out;

    /**
     * @param attention the attention module, already built at {@code prefix.net.attn} (null: identity)
     * @throws IllegalArgumentException when {@code channels} is not divisible by {@code groups}
     */
    public AttentionResBlock(Parameters p, String prefix, long channels, VaeModule attention, int groups, double eps) {
        Checks.require(groups > 0 && channels % groups == 0, "AttentionResBlock", "norm_groups", groups,
                "must divide num_channels " + channels);
        this.prefix = prefix;
        this.attention = attention;
        this.groups = groups;
        this.eps = eps;
        VaeParameters.norm(p, VaeParameters.at(prefix, "net.norm"), channels);
        VaeParameters.conv(p, VaeParameters.at(prefix, "net.out"), channels, channels, 1);
    }

    /** {@code attention_res_block(C, norm_groups, norm_eps)}: norm first in the state dict, q, k, v drawn first. */
    public static AttentionResBlock vanilla(Parameters p, String prefix, long channels, int groups, double eps) {
        VaeParameters.reserve(p, VaeParameters.at(prefix, "net.norm"));
        VanillaAttention attn = new VanillaAttention(p, VaeParameters.at(prefix, "net.attn"), channels);
        return new AttentionResBlock(p, prefix, channels, attn, groups, eps);
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        norm = new GroupNormAct(g, VaeParameters.at(prefix, "net.norm"), groups, eps, false, kernels);
        if (attention != null) {
            attention.bind(g, kernels);
        }
        out = new Conv2d(g, VaeParameters.at(prefix, "net.out"));
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        INDArray h = norm.forward(arena, x, train);
        INDArray a = h;
        if (attention != null) {
            a = attention.forward(arena, h, dropout, train);
            if (!train) {
                arena.give(h);
            }
        }
        INDArray y = out.forward(arena, a, train);
        if (!train) {
            arena.give(a);
        }
        return y.addi(x);
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray da = out.backward(arena, dy);
        INDArray dh = attention == null ? da : attention.backward(arena, da);
        INDArray dx = norm.backward(arena, dh, null, null);
        dx.addi(dy);
        arena.give(dy);
        return dx;
    }
}
