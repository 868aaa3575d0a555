package org.diffusionlabs.testing;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The closed-form model of the golden sampler data: prediction = 0.9·x − 0.05·(t/1000),
 * variance_value = 0.5 + 0.25·tanh(x), in float32.
 */
public final class ToyModel implements DenoisingModel {
    @Override
    public DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c) {
        INDArray tf = t.castTo(DataType.FLOAT).div(1000f).mul(0.05f).reshape(t.length(), 1, 1, 1);
        INDArray prediction = xt.mul(0.9f).sub(tf);
        INDArray variance = Transforms.tanh(xt, true).muli(0.25f).addi(0.5f);
        return DiffusionOutput.of(prediction, variance);
    }
}
