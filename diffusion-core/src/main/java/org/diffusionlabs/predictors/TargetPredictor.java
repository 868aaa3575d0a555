package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The model predicts the clean data x0 directly (clamped); the noise follows from x_t and the clamped x0.
 * Port of {@code diffusion_labs/predictors/target_predictor.py}.
 */
public record TargetPredictor(Schedule schedule, UnaryOperator<INDArray> clamp) implements Predictor {
    public TargetPredictor {
        Checks.notNull(schedule, "TargetPredictor", "schedule");
        Checks.notNull(clamp, "TargetPredictor", "clamp");
    }

    public TargetPredictor(Schedule schedule) {
        this(schedule, Predictor.noClamp());
    }

    @Override
    public INDArray predictX0(INDArray prediction, INDArray xt, INDArray t) {
        PredictorMath.checkShapes("TargetPredictor", prediction, xt);
        return clamp.apply(prediction);
    }

    @Override
    public INDArray predictNoise(INDArray prediction, INDArray xt, INDArray t) {
        return PredictorMath.noiseFromX0(schedule, predictX0(prediction, xt, t), xt, t);
    }

    @Override
    public INDArray trainingTarget(INDArray x0, INDArray noise, INDArray t) {
        PredictorMath.checkShapes("TargetPredictor", noise, x0);
        return x0;
    }

    /** x0 = 0·x_t − (−1)·prediction: exact in float32. */
    @Override
    public X0Form x0Form(INDArray t, int rank) {
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[0] = t.length();
        return new X0Form(Nd4j.zeros(DataType.DOUBLE, shape), Nd4j.valueArrayOf(shape, -1.0, DataType.DOUBLE));
    }

    @Override
    public Predictor withSchedule(Schedule other) {
        return new TargetPredictor(other, clamp);
    }
}
