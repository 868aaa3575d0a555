package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The LDM encoder ({@code ResNetEncoder}): {@code init_conv} 3×3 in → L0; per level i a {@link ResBlockStack}
 * L[i] → L[i+1] at {@code down_block.i} with a downsampler on every level but the last; the middle block
 * {@code mid_block} = res, {@link AttentionResBlock#vanilla attention}, res at the last width; then {@code out_block}
 * = GroupNorm, SiLU, 3×3 conv to 2·z channels (z without {@code doubleZ}). Widths L = channels·(1, multipliers…); the
 * output side is the input side / 2^(levels − 1). Uses in, z, channels, numResBlocks, multipliers, dropout, groups,
 * eps of the config.
 */
public final class ResNetEncoder implements VaeModule {
    private final List<VaeModule> modules = new ArrayList<>();

    /** @throws IllegalArgumentException when a width is not divisible by the config's norm groups */
    public ResNetEncoder(Parameters p, String prefix, VaeConfig c, boolean doubleZ) {
        long[] widths = c.encoderWidths();
        int levels = c.channelMultipliers().size();
        int g = c.normGroups();
        double eps = c.normEps();
        modules.add(new ConvLayer(p, VaeParameters.at(prefix, "init_conv"), c.inChannels(), widths[0], 3));
        for (int i = 0; i < levels; i++) {
            modules.add(new ResBlockStack(p, VaeParameters.at(prefix, "down_block." + i), widths[i], widths[i + 1],
                    c.numResBlocks(), c.dropout(), false, i != levels - 1, g, eps));
        }
        long mid = widths[levels];
        String m = VaeParameters.at(prefix, "mid_block.");
        modules.add(new ResBlock(p, m + 0, mid, mid, c.dropout(), g, eps));
        modules.add(AttentionResBlock.vanilla(p, m + 1, mid, g, eps));
        modules.add(new ResBlock(p, m + 2, mid, mid, c.dropout(), g, eps));
        Checks.require(mid % g == 0, "ResNetEncoder", "norm_groups", g, "must divide the last width " + mid);
        modules.add(new NormSiLU(p, VaeParameters.at(prefix, "out_block.0"), mid, g, eps));
        modules.add(new ConvLayer(p, VaeParameters.at(prefix, "out_block.2"), mid,
                doubleZ ? 2L * c.zChannels() : c.zChannels(), 3));
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        modules.forEach(m -> m.bind(g, kernels));
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        return Sequence.forward(modules, arena, x, dropout, train);
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        return Sequence.backward(modules, arena, dy);
    }
}
