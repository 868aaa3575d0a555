package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code res_block_stack(in, out, num_blocks, dropout, needs_upsample, needs_downsample, norm_groups, norm_eps)}: a
 * sequence of {@link ResBlock}s (the first in → out, the rest out → out) at {@code prefix.0 … prefix.(n−1)}, then a
 * {@link Downsample2D} (asymmetric padding) or an {@link Upsample2D} at {@code prefix.n}.
 */
public final class ResBlockStack implements VaeModule {
    private final List<VaeModule> modules = new ArrayList<>();

    /** @throws IllegalArgumentException when both resamplings are asked for, or for fewer than one block */
    public ResBlockStack(Parameters p, String prefix, long in, long out, int numBlocks, double dropout,
                         boolean needsUpsample, boolean needsDownsample, int groups, double eps) {
        Checks.require(!(needsUpsample && needsDownsample), "res_block_stack", "needs_upsample/needs_downsample",
                "true/true", "cannot both be set");
        Checks.require(numBlocks >= 1, "res_block_stack", "num_blocks", numBlocks, "must be >= 1");
        long blockIn = in;
        for (int i = 0; i < numBlocks; i++) {
            modules.add(new ResBlock(p, VaeParameters.at(prefix, Integer.toString(i)), blockIn, out, dropout, groups, eps));
            blockIn = out;
        }
        String last = VaeParameters.at(prefix, Integer.toString(numBlocks));
        if (needsDownsample) {
            modules.add(new Downsample2D(p, last, out, true));
        }
        if (needsUpsample) {
            modules.add(new Upsample2D(p, last, out));
        }
    }

    /** The stages in order. */
    public List<VaeModule> modules() {
        return Collections.unmodifiableList(modules);
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
