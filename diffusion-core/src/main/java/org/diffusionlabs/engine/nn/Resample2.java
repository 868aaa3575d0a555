package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.Profile;
import org.diffusionlabs.engine.NativeOp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The resampling of an ADM res block on native ops: 2×2 average pooling (down) or nearest-neighbour ×2 (up), NCHW.
 * Stateless apart from the input shape backward needs.
 */
public final class Resample2 {
    private final boolean down;
    private final NativeOp fwd;
    private final NativeOp bwd;
    private final NativeOp fwdNhwc;
    private INDArray x;

    private Resample2(boolean down) {
        this.down = down;
        // avgpool2d: kH, kW, sH, sW, pH, pW, dH, dW, same mode, divisor mode, NHWC; upsampling2d: factors, NCHW
        long[] args = down ? new long[] {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0} : new long[] {2, 2, 1};
        this.fwd = new NativeOp(down ? "avgpool2d" : "upsampling2d", args);
        this.bwd = new NativeOp(down ? "avgpool2d_bp" : "upsampling2d_bp", args);
        long[] nhwc = args.clone();
        nhwc[nhwc.length - 1] = down ? 1 : 0;
        this.fwdNhwc = new NativeOp(down ? "avgpool2d" : "upsampling2d", nhwc);
    }

    public static Resample2 down() {
        return new Resample2(true);
    }

    public static Resample2 up() {
        return new Resample2(false);
    }

    public INDArray forward(Arena arena, INDArray x, boolean train) {
        long h = down ? x.size(2) / 2 : x.size(2) * 2;
        long w = down ? x.size(3) / 2 : x.size(3) * 2;
        INDArray y = arena.take(x.size(0), x.size(1), h, w);
        long t0 = Profile.start();
        fwd.exec1(x, y);
        Profile.add("resample", t0);
        this.x = train ? x : null;
        return y;
    }

    /** The inference forward over channels-last arrays [b, h, w, c] (keeps nothing). */
    public INDArray forwardNhwc(Arena arena, INDArray x) {
        long h = down ? x.size(1) / 2 : x.size(1) * 2;
        long w = down ? x.size(2) / 2 : x.size(2) * 2;
        INDArray y = arena.take(x.size(0), h, w, x.size(3));
        long t0 = Profile.start();
        fwdNhwc.exec1(x, y);
        Profile.add("resample", t0);
        return y;
    }

    public INDArray backward(Arena arena, INDArray dy) {
        INDArray dx = arena.take(x.shape());
        long t0 = Profile.start();
        bwd.exec(new INDArray[] {x, dy}, dx);
        Profile.add("resample", t0);
        x = null;
        return dx;
    }
}
