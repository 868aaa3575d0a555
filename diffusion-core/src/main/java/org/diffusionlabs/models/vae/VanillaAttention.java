package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.NativeOp;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.MatMul;
import org.diffusionlabs.models.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE's single-head self-attention over the H·W positions ({@code VanillaAttention(C)}): q, k, v are 1×1 convs
 * C → C ({@code query}, {@code key}, {@code value}, drawn in that order), {@code out = softmax(qᵀk/√C)·v} per
 * position. It works in the channel-major layout the convs produce ([b, C, N] with N = H·W): scores
 * {@code S = qᵀ·k/√C} [b, N, N], {@code P = softmax(S)} over keys, {@code out = v·Pᵀ} [b, C, N], so no transposes
 * are copied.
 */
public final class VanillaAttention implements VaeModule {
    private final String prefix;
    private final long c;
    private final MatMul mm = new MatMul();
    private final NativeOp softmax = new NativeOp("softmax", 2);
    private final NativeOp softmaxBp = new NativeOp("softmax_bp", 2);
    private Conv2d query;
    private Conv2d key;
    private Conv2d value;
    private INDArray q;
    private INDArray k;
    private INDArray v;
    private INDArray scores;
    private INDArray probs;

    public VanillaAttention(Parameters p, String prefix, long channels) {
        this.prefix = prefix;
        this.c = channels;
        for (String m : new String[] {"query", "key", "value"}) {
            VaeParameters.conv(p, VaeParameters.at(prefix, m), channels, channels, 1);
        }
    }

    @Override
    public void bind(GradientBuffer g, Kernels kernels) {
        query = new Conv2d(g, VaeParameters.at(prefix, "query"));
        key = new Conv2d(g, VaeParameters.at(prefix, "key"));
        value = new Conv2d(g, VaeParameters.at(prefix, "value"));
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train) {
        long b = x.size(0);
        long n = x.size(2) * x.size(3);
        INDArray q4 = query.forward(arena, x, train);
        INDArray k4 = key.forward(arena, x, train);
        INDArray v4 = value.forward(arena, x, train);
        INDArray s = arena.take(b, n, n);
        mm.exec(q4.reshape(b, c, n), true, k4.reshape(b, c, n), false, s, 1.0 / Math.sqrt(c), 0.0);
        INDArray pr = arena.take(b, n, n);
        softmax.exec1(s, pr);
        INDArray y = arena.take(x.shape());
        mm.exec(v4.reshape(b, c, n), false, pr, true, y.reshape(b, c, n), 1.0, 0.0);
        if (train) {
            q = q4;
            k = k4;
            v = v4;
            scores = s;
            probs = pr;
        } else {
            for (INDArray a : new INDArray[] {q4, k4, v4, s, pr}) {
                arena.give(a);
            }
        }
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy) {
        long b = dy.size(0);
        long n = dy.size(2) * dy.size(3);
        INDArray dOut = dy.reshape(b, c, n);
        INDArray dv = arena.take(dy.shape());
        mm.exec(dOut, false, probs, false, dv.reshape(b, c, n), 1.0, 0.0);
        INDArray dp = arena.take(b, n, n);
        mm.exec(dOut, true, v.reshape(b, c, n), false, dp, 1.0, 0.0);
        INDArray ds = arena.take(b, n, n);
        softmaxBp.exec(new INDArray[] {scores, dp}, ds);
        double scale = 1.0 / Math.sqrt(c);
        INDArray dq = arena.take(dy.shape());
        mm.exec(k.reshape(b, c, n), false, ds, true, dq.reshape(b, c, n), scale, 0.0);
        INDArray dk = arena.take(dy.shape());
        mm.exec(q.reshape(b, c, n), false, ds, false, dk.reshape(b, c, n), scale, 0.0);
        INDArray dx = query.backward(arena, dq);
        INDArray part = key.backward(arena, dk);
        dx.addi(part);
        arena.give(part);
        part = value.backward(arena, dv);
        dx.addi(part);
        for (INDArray a : new INDArray[] {part, dy, dv, dp, ds, dq, dk, q, k, v, scores, probs}) {
            arena.give(a);
        }
        q = k = v = scores = probs = null;
        return dx;
    }
}
