package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.Schedule;
import org.diffusionlabs.transforms.Batch;
import org.diffusionlabs.transforms.ComputeV;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the network output is regressed on for each {@link PredictionType}: the noise ε, the clean data x0, or the
 * velocity v = √ᾱ_t·ε − √(1 − ᾱ_t)·x0 (computed by {@link ComputeV}, as the reference's v transform does). The
 * matching predictor turns such a prediction back into x0 and ε when sampling.
 */
public final class TrainingTarget {
    private TrainingTarget() {}

    /**
     * @param x0    clean data [b, ...]
     * @param noise the noise of q_sample(x0, noise, t), same shape
     * @param t     integer steps [b]
     */
    public static INDArray of(PredictionType prediction, Schedule schedule, INDArray x0, INDArray noise, INDArray t) {
        Checks.notNull(prediction, "TrainingTarget", "prediction");
        return switch (prediction) {
            case NOISE -> noise;
            case TARGET -> x0;
            case V -> new ComputeV(schedule).apply(Batch.of("x", x0).with("t", t).with("noise", noise), null) // draws nothing
                    .get("v");
        };
    }
}
