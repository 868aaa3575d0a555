package org.diffusionlabs.adapters;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Batch-dimension helpers of the adapters: repeat a {@code [1, ...]} array, take a row range, dtype promotion. */
final class BatchRows {
    private BatchRows() {}

    /** {@code one} ({@code [1, ...]}) repeated to {@code [n, ...]}, as {@code expand} but a new array. */
    static INDArray expand(INDArray one, long n) {
        long[] shape = one.shape().clone();
        shape[0] = n;
        return one.broadcast(shape);
    }

    /** Rows {@code [from, to)} along dimension 0, as a new C-ordered array ({@code torch.chunk} half). */
    static INDArray rows(INDArray a, long from, long to) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(from, to);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }

    /** PyTorch promotion of a condition with a float32 null embedding: double stays double, anything else is float32. */
    static DataType mergedType(INDArray v) {
        return v.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }
}
