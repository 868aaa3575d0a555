package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * The LDM decoder ({@code ResNetDecoder}): {@code init_conv} 3×3 z → L0; {@code mid_block} = res, attention, res at
 * L0; per level i a {@link ResBlockStack} of numResBlocks + 1 blocks L[i] → L[i+1] at {@code up_block.i} with an
 * upsampler on every level but the last; {@code out_nonlinearity_block} = GroupNorm, SiLU; {@code conv_out} 3×3 to
 * the image channels, and with {@code outputAlphaChannel} a separate {@code alpha_conv_out} 3×3 to one channel
 * concatenated after them. Widths L = channels·reversed(multipliers + (last multiplier,)).
 */
public final class ResNetDecoder implements VaeModule {
    private final List<VaeModule> body = new ArrayList<>();
    private final ConvLayer convOut;
    private final ConvLayer alphaOut;
    private final long outChannels;

    /** @throws IllegalArgumentException when a width is not divisible by the config's norm groups */
    public ResNetDecoder(Parameters p, String prefix, VaeConfig c) {
        long[] widths = c.decoderWidths();
        int levels = c.channelMultipliers().size();
        int g = c.normGroups();
        double eps = c.normEps();
        long mid = widths[0];
        body.add(new ConvLayer(p, VaeParameters.at(prefix, "init_conv"), c.zChannels(), mid, 3));
        String m = VaeParameters.at(prefix, "mid_block.");
        body.add(new ResBlock(p, m + 0, mid, mid, c.dropout(), g, eps));
        body.add(AttentionResBlock.vanilla(p, m + 1, mid, g, eps));
        body.add(new ResBlock(p, m + 2, mid, mid, c.dropout(), g, eps));
        for (int i = 0; i < levels; i++) {
            body.add(new ResBlockStack(p, VaeParameters.at(prefix, "up_block." + i), widths[i], widths[i + 1],
                    c.numResBlocks() + 1, c.dropout(), i != levels - 1, false, g, eps));
        }
        long last = widths[levels];
        Checks.require(last % g == 0, "ResNetDecoder", "norm_groups", g, "must divide the last width " + last);
        body.add(new NormSiLU(p, VaeParameters.at(prefix, "out_nonlinearity_block.0"), last, g, eps));
        this.outChannels = c.outChannels();
        this.convOut = new ConvLayer(p, VaeParameters.at(prefix, "conv_out"), last, c.outChannels(), 3);
        this.alphaOut = c.outputAlphaChannel()
                ? new ConvLayer(p, VaeParameters.at(prefix, "alpha_conv_out"), last, 1, 3) : null;
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        body.forEach(m -> m.bind(g, kernels));
        convOut.bind(g, kernels);
        if (alphaOut != null) {
            alphaOut.bind(g, kernels);
        }
    }

    @Override
    public INDArray forward(Arena arena, INDArray z, DropoutNoise dropout, boolean train) {
        INDArray h = Sequence.forward(body, arena, z, dropout, train);
        INDArray img = convOut.forward(arena, h, dropout, train);
        if (alphaOut == null) {
            if (!train && h != z) {
                arena.give(h);
            }
            return img;
        }
        INDArray alpha = alphaOut.forward(arena, h, dropout, train);
        if (!train && h != z) {
            arena.give(h);
        }
        INDArray y = arena.take(img.size(0), outChannels + 1, img.size(2), img.size(3));
        y.get(channels(0, outChannels)).assign(img);
        y.get(channels(outChannels, outChannels + 1)).assign(alpha);
        arena.give(img);
        arena.give(alpha);
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dh;
        if (alphaOut == null) {
            dh = convOut.backward(arena, dy);
        } else {
            long b = dy.size(0);
            INDArray dImg = arena.take(b, outChannels, dy.size(2), dy.size(3)).assign(dy.get(channels(0, outChannels)));
            INDArray dAlpha = arena.take(b, 1, dy.size(2), dy.size(3)).assign(dy.get(channels(outChannels, outChannels + 1)));
            arena.give(dy);
            dh = convOut.backward(arena, dImg);
            INDArray da = alphaOut.backward(arena, dAlpha);
            dh.addi(da);
            arena.give(da);
        }
        return Sequence.backward(body, arena, dh);
    }

    private static INDArrayIndex[] channels(long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all()};
    }
}
