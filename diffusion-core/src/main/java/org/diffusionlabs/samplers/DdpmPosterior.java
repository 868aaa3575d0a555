package org.diffusionlabs.samplers;

import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model's estimate of the posterior p(x_{t−1} | x_t): x0 from the predictor (clamped if it clamps), then the
 * schedule's posterior with the model's variance value (the reference's {@code DDPModule.predict_parameters}).
 */
public final class DdpmPosterior {
    private DdpmPosterior() {}

    /**
     * @param index the step to look coefficients up at: t for the training schedule, the position among the eval
     *              steps for a respaced schedule
     */
    public static Posterior estimate(Predictor predictor, DiscreteGaussianSchedule schedule, DiffusionOutput out,
                                     INDArray xt, INDArray index) {
        INDArray x0 = predictor.predictX0(out.prediction(), xt, index);
        return schedule.qPosterior(x0, xt, index, out.varianceValue());
    }
}
