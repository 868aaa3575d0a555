package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Zero padding of the two spatial axes of an NCHW array, possibly different on each side (PyTorch's
 * {@code ZeroPad2d((left, right, top, bottom))}): the symmetric padding of the native convolution cannot express the
 * LDM downsampler's (0, 1, 0, 1). Forward copies x into the interior of a zeroed array, backward copies the interior
 * of dy out; no arithmetic, so no kernel variants.
 */
public final class ZeroPad2d {
    private final int left;
    private final int right;
    private final int top;
    private final int bottom;
    private long[] inShape;

    public ZeroPad2d(int left, int right, int top, int bottom) {
        Checks.require(left >= 0 && right >= 0 && top >= 0 && bottom >= 0, "ZeroPad2d", "padding",
                "(" + left + ", " + right + ", " + top + ", " + bottom + ")", "must be >= 0 on every side");
        this.left = left;
        this.right = right;
        this.top = top;
        this.bottom = bottom;
    }

    /** y [b, c, top + h + bottom, left + w + right]; remembers x's shape for backward when {@code train}. */
    public INDArray forward(Arena arena, INDArray x, boolean train) {
        Checks.require(x.rank() == 4, "ZeroPad2d", "x", java.util.Arrays.toString(x.shape()), "must be [b, c, h, w]");
        INDArray y = arena.zeros(x.size(0), x.size(1), x.size(2) + top + bottom, x.size(3) + left + right);
        y.get(interior(x.size(2), x.size(3))).assign(x);
        this.inShape = train ? x.shape() : null;
        return y;
    }

    /** dx = the interior of dy (dy is given back to the arena). */
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dx = arena.take(inShape);
        dx.assign(dy.get(interior(inShape[2], inShape[3])));
        arena.give(dy);
        inShape = null;
        return dx;
    }

    private INDArrayIndex[] interior(long h, long w) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top, top + h),
                NDArrayIndex.interval(left, left + w)};
    }
}
