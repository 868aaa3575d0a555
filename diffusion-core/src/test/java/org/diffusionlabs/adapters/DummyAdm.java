package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The reference test's {@code DummyADM}: prediction = x + t[..., None, None] + (element-wise sum of all conditional
 * tensors)[..., None, None] + number of conditional keys; variance_value = x when {@code variance}, else null.
 * Records the last call so tests can inspect what an adapter passed down.
 */
final class DummyAdm implements DenoisingModel {
    final boolean variance;
    INDArray lastX;
    INDArray lastT;
    Conditioning lastC;

    DummyAdm(boolean variance) {
        this.variance = variance;
    }

    @Override
    public DiffusionOutput predict(INDArray x, INDArray t, Conditioning c) {
        lastX = x;
        lastT = t;
        lastC = c;
        INDArray prediction = x.add(withTwoUnitDims(t).broadcast(x.shape()));
        INDArray sum = null;
        for (INDArray v : c.asMap().values()) {
            sum = sum == null ? v.dup() : sum.add(v);
        }
        if (sum != null) {
            prediction.addi(withTwoUnitDims(sum).broadcast(x.shape()));
        }
        prediction.addi(c.names().size());
        return DiffusionOutput.of(prediction, variance ? x : null);
    }

    /** {@code a[..., None, None]}. */
    private static INDArray withTwoUnitDims(INDArray a) {
        long[] shape = Arrays.copyOf(a.shape(), a.rank() + 2);
        shape[a.rank()] = 1;
        shape[a.rank() + 1] = 1;
        return a.reshape(shape);
    }
}
