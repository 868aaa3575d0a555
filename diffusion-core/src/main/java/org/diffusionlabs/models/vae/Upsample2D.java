package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.Resample2;
import org.diffusionlabs.models.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder's upsampler ({@code Upsample2D(channels)}): nearest-neighbour ×2 (out[y][x] = in[y/2][x/2]), then a
 * 3×3 conv C → C with padding 1 at {@code prefix.conv}.
 */
public final class Upsample2D implements VaeModule {
    private final String prefix;
    private Resample2 up;
    private Conv2d conv;

    public Upsample2D(Parameters p, String prefix, long channels) {
        this.prefix = prefix;
        VaeParameters.conv(p, VaeParameters.at(prefix, "conv"), channels, channels, 3);
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        up = Resample2.up();
        conv = new Conv2d(g, VaeParameters.at(prefix, "conv"));
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        INDArray u = up.forward(arena, x, train);
        INDArray y = conv.forward(arena, u, train);
        if (!train) {
            arena.give(u);
        }
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray du = conv.backward(arena, dy);
        arena.give(dy);
        INDArray dx = up.backward(arena, du);
        arena.give(du);
        return dx;
    }
}
