package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.Slot;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fully connected layer with PyTorch's layout and names: {@code y = x·Wᵀ + b} for x [n, in], W {@code prefix.weight}
 * [out, in], b {@code prefix.bias} [out]. Backward accumulates dW and db into the gradient buffer.
 */
public final class Linear {
    private final Slot w;
    private final Slot b;
    private final MatMul mm = new MatMul();
    private INDArray x;

    public Linear(GradientBuffer grads, String prefix) {
        this.w = grads.slot(prefix + ".weight");
        this.b = grads.slot(prefix + ".bias");
    }

    public long in() {
        return w.value().size(1);
    }

    public long out() {
        return w.value().size(0);
    }

    /** y [n, out]; keeps x for {@link #backward} when {@code train}. */
    public INDArray forward(Arena arena, INDArray x, boolean train) {
        INDArray y = arena.take(x.size(0), out());
        mm.exec(x, false, w.value(), true, y);
        long t0 = org.diffusionlabs.engine.Profile.start();
        y.addiRowVector(b.value());
        org.diffusionlabs.engine.Profile.add("linear bias", t0);
        this.x = train ? x : null;
        return y;
    }

    /** dx [n, in] (null when {@code needDx} is false); accumulates dW and db. */
    public INDArray backward(Arena arena, INDArray dy, boolean needDx) {
        long n = dy.size(0);
        mm.exec(dy, true, x, false, w.grad(), 1.0, 1.0);
        INDArray ones = arena.take(1, n).assign(1);
        mm.exec(ones, false, dy, false, b.grad().reshape(1, out()), 1.0, 1.0);
        arena.give(ones);
        INDArray dx = null;
        if (needDx) {
            dx = arena.take(n, in());
            mm.exec(dy, false, w.value(), false, dx);
        }
        x = null;
        return dx;
    }
}
