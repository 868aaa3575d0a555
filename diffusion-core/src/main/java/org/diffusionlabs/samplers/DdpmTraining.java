package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training branch of the reference's {@code DDPModule.forward}: one model call at the given steps and, when
 * the model predicts a variance value, the predicted posterior mean and log variance on the full training schedule
 * (computed from the clamped x0) that the VLB term of the hybrid loss needs. Kept apart from the samplers, which
 * only sample.
 */
public record DdpmTraining(DenoisingModel model, DiscreteGaussianSchedule schedule, Predictor predictor) {
    public DdpmTraining {
        Checks.notNull(model, "DdpmTraining", "model");
        Checks.notNull(schedule, "DdpmTraining", "schedule");
        Checks.notNull(predictor, "DdpmTraining", "predictor");
    }

    public DiffusionOutput forward(INDArray xt, INDArray t, Conditioning c) {
        Checks.notNull(t, "DdpmTraining", "t");
        DiffusionOutput out = model.predict(xt, t, c);
        if (out.varianceValue() == null) {
            return out;
        }
        Posterior p = DdpmPosterior.estimate(predictor, schedule, out, xt, t);
        return out.withPosterior(p.mean(), p.logVariance());
    }
}
