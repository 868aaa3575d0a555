package org.diffusionlabs.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss between a model prediction and its target, reduced to a scalar (the reference's {@code simple_loss}
 * slot of {@code DiffusionHybridLoss}, an {@code nn.Module(input, target)}).
 */
@FunctionalInterface
public interface SimpleLoss {
    /**
     * @param prediction model output {@code [b, ...]}
     * @param target     desired output, same shape and data type
     * @return a rank-0 tensor in the data type of {@code prediction}
     */
    INDArray loss(INDArray prediction, INDArray target);
}
