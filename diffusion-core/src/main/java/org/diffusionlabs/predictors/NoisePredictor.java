package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * The model predicts the added noise ε (Ho et al. 2020): x0 = sqrt(1/ᾱ_t)·x_t − sqrt(1/ᾱ_t − 1)·ε, clamped; the
 * noise estimate is the prediction itself. Port of {@code diffusion_labs/predictors/noise_predictor.py}.
 */
public record NoisePredictor(Schedule schedule, UnaryOperator<INDArray> clamp) implements Predictor {
    public NoisePredictor {
        Checks.notNull(schedule, "NoisePredictor", "schedule");
        Checks.notNull(clamp, "NoisePredictor", "clamp");
    }

    public NoisePredictor(Schedule schedule) {
        this(schedule, Predictor.noClamp());
    }

    @Override
    public INDArray predictX0(INDArray prediction, INDArray xt, INDArray t) {
        PredictorMath.checkShapes("NoisePredictor", prediction, xt);
        INDArray x0 = PredictorMath.combine(schedule, Coefficient.SQRT_RECIP_ALPHAS_CUMPROD, xt,
                Coefficient.SQRT_RECIP_ALPHAS_CUMPROD_MINUS_ONE, prediction, t);
        return clamp.apply(x0).castTo(xt.dataType());
    }

    @Override
    public INDArray predictNoise(INDArray prediction, INDArray xt, INDArray t) {
        PredictorMath.checkShapes("NoisePredictor", prediction, xt);
        return prediction;
    }

    @Override
    public INDArray trainingTarget(INDArray x0, INDArray noise, INDArray t) {
        PredictorMath.checkShapes("NoisePredictor", noise, x0);
        return noise;
    }

    @Override
    public X0Form x0Form(INDArray t, int rank) {
        return new X0Form(schedule.coefficient(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD, t, rank),
                schedule.coefficient(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD_MINUS_ONE, t, rank));
    }

    @Override
    public Predictor withSchedule(Schedule other) {
        return new NoisePredictor(other, clamp);
    }
}
