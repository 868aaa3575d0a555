package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * The model predicts the velocity v = sqrt(ᾱ_t)·ε − sqrt(1 − ᾱ_t)·x0 (Salimans and Ho 2022):
 * x0 = sqrt(ᾱ_t)·x_t − sqrt(1 − ᾱ_t)·v (clamped), and the noise follows from x_t and that x0.
 * Port of {@code diffusion_labs/predictors/v_predictor.py}.
 */
public record VPredictor(Schedule schedule, UnaryOperator<INDArray> clamp) implements Predictor {
    public VPredictor {
        Checks.notNull(schedule, "VPredictor", "schedule");
        Checks.notNull(clamp, "VPredictor", "clamp");
    }

    public VPredictor(Schedule schedule) {
        this(schedule, Predictor.noClamp());
    }

    @Override
    public INDArray predictX0(INDArray prediction, INDArray xt, INDArray t) {
        PredictorMath.checkShapes("VPredictor", prediction, xt);
        INDArray x0 = PredictorMath.combine(schedule, Coefficient.SQRT_ALPHAS_CUMPROD, xt,
                Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, prediction, t);
        return clamp.apply(x0).castTo(xt.dataType());
    }

    @Override
    public INDArray predictNoise(INDArray prediction, INDArray xt, INDArray t) {
        return PredictorMath.noiseFromX0(schedule, predictX0(prediction, xt, t), xt, t);
    }

    /** v = √ᾱ_t·ε − √(1 − ᾱ_t)·x0 in float64, typed like x0 (the reference's v transform, {@code ComputeV}). */
    @Override
    public INDArray trainingTarget(INDArray x0, INDArray noise, INDArray t) {
        PredictorMath.checkShapes("VPredictor", noise, x0);
        return PredictorMath.combine(schedule, Coefficient.SQRT_ALPHAS_CUMPROD, noise,
                Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, x0, t).castTo(x0.dataType());
    }

    @Override
    public X0Form x0Form(INDArray t, int rank) {
        return new X0Form(schedule.coefficient(Coefficient.SQRT_ALPHAS_CUMPROD, t, rank),
                schedule.coefficient(Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, t, rank));
    }

    @Override
    public Predictor withSchedule(Schedule other) {
        return new VPredictor(other, clamp);
    }
}
