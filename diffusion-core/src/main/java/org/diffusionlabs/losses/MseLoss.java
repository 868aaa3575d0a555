package org.diffusionlabs.losses;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * Mean squared error over every element, {@code mean((prediction − target)²)} — PyTorch's
 * {@code nn.MSELoss()} (reduction "mean"), the default simple loss of {@code DiffusionHybridLoss}.
 *
 * <p>The difference and its square are computed in the data type (float32 like the reference); the mean is
 * accumulated in float64 and rounded once, which is at least as accurate as PyTorch's float32 reduction.
 * Unlike PyTorch, shapes are not broadcast: they must be equal.
 */
public final class MseLoss implements SimpleLoss, Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "MseLoss";

    @Override
    public INDArray loss(INDArray prediction, INDArray target) {
        LossArgs.data(prediction, OWNER, "prediction");
        LossArgs.sameAs(prediction, "prediction", target, "target", OWNER);
        INDArray diff = prediction.sub(target);
        INDArray squared = diff.muli(diff);
        return squared.castTo(DataType.DOUBLE).mean().castTo(prediction.dataType());
    }
}
