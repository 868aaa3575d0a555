package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.NativeOp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code out = alpha·op(a)·op(b) + beta·out} (op = optional transpose of the last two axes; rank 2, or rank 3 batched)
 * through libnd4j's {@code matmul} with one reused context per transpose pair. beta = 1 accumulates, which is how
 * parameter gradients are summed without temporaries.
 */
public final class MatMul {
    private final NativeOp[] ops = new NativeOp[4];

    public void exec(INDArray a, boolean transA, INDArray b, boolean transB, INDArray out, double alpha, double beta) {
        int i = (transA ? 2 : 0) + (transB ? 1 : 0);
        if (ops[i] == null) {
            ops[i] = new NativeOp("matmul", transA ? 1 : 0, transB ? 1 : 0, 0);
        }
        long t0 = org.diffusionlabs.engine.Profile.start();
        ops[i].tArgs(alpha, beta).exec(new INDArray[] {a, b}, out);
        org.diffusionlabs.engine.Profile.add("matmul", t0);
    }

    public void exec(INDArray a, boolean transA, INDArray b, boolean transB, INDArray out) {
        exec(a, transA, b, transB, out, 1.0, 0.0);
    }
}
