package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.Profile;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.NativeOp;
import org.diffusionlabs.engine.Slot;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A k×k convolution (by default stride 1, padding k/2: PyTorch's {@code Conv2d(in, out, k, padding=k//2)}; any
 * stride and symmetric zero padding on request), NCHW (and NHWC for inference, {@link #forwardNhwc}), on the native {@code conv2d} / {@code conv2d_bp} ops (oneDNN on
 * the default CPU build) with the weights in PyTorch's layout [out, in, k, k] ({@code prefix.weight},
 * {@code prefix.bias}). Backward accumulates dW and db.
 */
public final class Conv2d {
    private final Slot w;
    private final Slot b;
    private final int k;
    private final int stride;
    private final int padding;
    private final NativeOp fwd;
    private final NativeOp bwd;
    private final NativeOp fwdNhwc;
    private INDArray x;

    public Conv2d(GradientBuffer grads, String prefix) {
        this(grads, prefix, 1, -1);
    }

    /**
     * @param stride  the stride of both axes (≥ 1)
     * @param padding zeros added on every side, or −1 for k/2
     */
    public Conv2d(GradientBuffer grads, String prefix, int stride, int padding) {
        this.w = grads.slot(prefix + ".weight");
        this.b = grads.slot(prefix + ".bias");
        this.k = Math.toIntExact(w.value().size(2));
        Checks.require(stride >= 1, "Conv2d", "stride", stride, "must be >= 1");
        Checks.require(padding >= -1, "Conv2d", "padding", padding, "must be >= 0 (or -1 for k/2)");
        this.stride = stride;
        this.padding = padding < 0 ? k / 2 : padding;
        // kH, kW, sH, sW, pH, pW, dH, dW, same mode (0), NCHW (0), weights [out, in, kH, kW] (1)
        long[] args = {k, k, stride, stride, this.padding, this.padding, 1, 1, 0, 0, 1};
        this.fwd = new NativeOp("conv2d", args);
        this.bwd = new NativeOp("conv2d_bp", args);
        // the same with channels-last data (NHWC (1)), the weights still [out, in, kH, kW]: oneDNN reorders them anyway
        long[] nhwc = args.clone();
        nhwc[9] = 1;
        this.fwdNhwc = new NativeOp("conv2d", nhwc);
    }

    public long out() {
        return w.value().size(0);
    }

    /** y [b, out, h, w]; keeps x for {@link #backward} when {@code train}. */
    public INDArray forward(Arena arena, INDArray x, boolean train) {
        INDArray y = arena.take(x.size(0), out(), outSize(x.size(2)), outSize(x.size(3)));
        long t0 = Profile.start();
        fwd.exec(new INDArray[] {x, w.value(), b.value()}, y);
        Profile.add("conv forward", t0);
        this.x = train ? x : null;
        return y;
    }

    /**
     * The inference forward over channels-last arrays: x [b, h, w, in] → y [b, h', w', out] (keeps nothing). oneDNN's
     * NHWC convolution skips the activation reorders of the NCHW one.
     */
    public INDArray forwardNhwc(Arena arena, INDArray x) {
        INDArray y = arena.take(x.size(0), outSize(x.size(1)), outSize(x.size(2)), out());
        long t0 = Profile.start();
        fwdNhwc.exec(new INDArray[] {x, w.value(), b.value()}, y);
        Profile.add("conv forward", t0);
        return y;
    }

    /** The output length of an axis of length {@code n}: (n + 2·padding − k)/stride + 1. */
    public long outSize(long n) {
        long o = (n + 2L * padding - k) / stride + 1;
        Checks.require(n + 2L * padding >= k, "Conv2d", "input size", n, "is smaller than the kernel " + k);
        return o;
    }

    /** dx [b, in, h, w] (computed always: the op produces it); accumulates dW and db. */
    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dx = arena.take(x.shape());
        INDArray dw = arena.take(w.value().shape());
        INDArray db = arena.take(out());
        long t0 = Profile.start();
        bwd.exec(new INDArray[] {x, w.value(), b.value(), dy}, dx, dw, db);
        Profile.add("conv backward", t0);
        w.grad().addi(dw);
        b.grad().addi(db);
        arena.give(dw);
        arena.give(db);
        x = null;
        return dx;
    }
}
