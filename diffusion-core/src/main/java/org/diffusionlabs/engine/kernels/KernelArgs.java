package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Argument checks shared by both {@link Kernels} implementations: every array a kernel touches is a float32
 * array laid out contiguously in c order (views with an offset included), of the shape the kernel expects. The
 * messages follow the project's template "{owner} parameter {name} given invalid value {value}: {why}".
 */
final class KernelArgs {
    private KernelArgs() {}

    /** Requires {@code a} to be a non-null contiguous c-order float32 array. */
    static INDArray contiguous(INDArray a, String owner, String name) {
        if (a == null) {
            throw new IllegalArgumentException(owner + " parameter " + name + " must not be null");
        }
        require(a.dataType() == DataType.FLOAT, owner, name, a.dataType(), "must be FLOAT (float32)");
        require(a.data() != null || a.length() == 0, owner, name, "an array without data", "must have a buffer");
        require(isCContiguous(a.shape(), a.stride()), owner, name,
                "shape " + Arrays.toString(a.shape()) + " strides " + Arrays.toString(a.stride()),
                "must be contiguous in c order (dup('c') it first)");
        return a;
    }

    /** Requires a contiguous float32 array of exactly {@code shape}. */
    static INDArray shaped(INDArray a, String owner, String name, long... shape) {
        contiguous(a, owner, name);
        require(Arrays.equals(a.shape(), shape), owner, name, Arrays.toString(a.shape()),
                "must have shape " + Arrays.toString(shape));
        return a;
    }

    /** Requires a contiguous float32 array of {@code length} elements (any shape: [C], [1, C], ...). */
    static INDArray sized(INDArray a, String owner, String name, long length) {
        contiguous(a, owner, name);
        require(a.length() == length, owner, name, Arrays.toString(a.shape()), "must have " + length + " elements");
        return a;
    }

    /** The gradient arrays of a GroupNorm backward: dScale/dShift exactly when scale/shift are given. */
    static void groupNormGradients(GroupNormShape s, INDArray x, INDArray scale, INDArray shift, INDArray dy,
                                   INDArray dx, INDArray dGamma, INDArray dBeta, INDArray dScale, INDArray dShift) {
        String owner = "Kernels.groupNormBackward";
        shaped(dy, owner, "dy", x.shape());
        shaped(dx, owner, "dx", x.shape());
        sized(dGamma, owner, "dGamma", s.channels());
        sized(dBeta, owner, "dBeta", s.channels());
        require((dScale == null) == (scale == null), owner, "dScale", dScale == null ? "null" : "an array",
                "must be given exactly when scale is");
        require((dShift == null) == (shift == null), owner, "dShift", dShift == null ? "null" : "an array",
                "must be given exactly when shift is");
        if (dScale != null) {
            shaped(dScale, owner, "dScale", s.batch(), s.channels());
        }
        if (dShift != null) {
            shaped(dShift, owner, "dShift", s.batch(), s.channels());
        }
    }

    /** AdamW's flat buffers: all of p's length (ema may be null). */
    static void adamW(INDArray p, INDArray g, INDArray m, INDArray v, INDArray ema) {
        String owner = "Kernels.adamWEma";
        contiguous(p, owner, "p");
        sized(g, owner, "g", p.length());
        sized(m, owner, "m", p.length());
        sized(v, owner, "v", p.length());
        if (ema != null) {
            sized(ema, owner, "ema", p.length());
        }
    }

    /** Dropout's arrays: mask and y of x's shape, p in [0, 1). */
    static void dropout(INDArray x, INDArray mask, double p, INDArray y) {
        String owner = "Kernels.dropout";
        contiguous(x, owner, "x");
        shaped(mask, owner, "mask", x.shape());
        shaped(y, owner, "y", x.shape());
        require(p >= 0 && p < 1, owner, "p", p, "must be in [0, 1)");
    }

    static void require(boolean ok, String owner, String name, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(owner + " parameter " + name + " given invalid value " + value + ": " + why);
        }
    }

    /**
     * Whether the strides are those of a dense c-order array. Dimensions of size 1 are skipped: ND4J gives them
     * arbitrary strides, and 1-D views from {@code get(interval)} report order 'f', so the order flag is not used.
     */
    static boolean isCContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return true;
            }
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }
}
