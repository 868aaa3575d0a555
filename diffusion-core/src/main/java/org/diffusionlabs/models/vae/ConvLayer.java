package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.models.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A plain k×k conv in → out, stride 1, padding k/2 ({@code nn.Conv2d(in, out, k, padding=k//2)}) at {@code prefix}. */
public final class ConvLayer implements VaeModule {
    private final String prefix;
    private Conv2d conv;

    public ConvLayer(Parameters p, String prefix, long in, long out, int k) {
        this.prefix = prefix;
        VaeParameters.conv(p, prefix, in, out, k);
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        conv = new Conv2d(g, prefix);
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        return conv.forward(arena, x, train);
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dx = conv.backward(arena, dy);
        arena.give(dy);
        return dx;
    }
}
