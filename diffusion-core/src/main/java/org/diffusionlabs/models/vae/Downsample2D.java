package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.ZeroPad2d;
import org.diffusionlabs.models.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder's downsampler ({@code Downsample2D(channels, asymmetric_padding=True)}): zero padding — one column on
 * the right and one row at the bottom (asymmetric, the default), or one on every side — then a 3×3 conv C → C with
 * stride 2 and no padding of its own, at {@code prefix.op.1}. 16×16 → 8×8 either way. The symmetric form runs as the
 * conv's own padding; the asymmetric one pads first ({@link ZeroPad2d}).
 */
public final class Downsample2D implements VaeModule {
    private final String prefix;
    private final boolean asymmetric;
    private ZeroPad2d pad;
    private Conv2d conv;

    public Downsample2D(Parameters p, String prefix, long channels, boolean asymmetricPadding) {
        this.prefix = prefix;
        this.asymmetric = asymmetricPadding;
        VaeParameters.conv(p, VaeParameters.at(prefix, "op.1"), channels, channels, 3);
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        pad = asymmetric ? new ZeroPad2d(0, 1, 0, 1) : null;
        conv = new Conv2d(g, VaeParameters.at(prefix, "op.1"), 2, asymmetric ? 0 : 1);
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        if (pad == null) {
            return conv.forward(arena, x, train);
        }
        INDArray padded = pad.forward(arena, x, train);
        INDArray y = conv.forward(arena, padded, train);
        if (!train) {
            arena.give(padded);
        }
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray d = conv.backward(arena, dy);
        arena.give(dy);
        return pad == null ? d : pad.backward(arena, d);
    }
}
