package org.diffusionlabs.predictors;

import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.function.UnaryOperator;

/**
 * What the network is trained to predict, and how to turn its output into a clean-data estimate x0 and a noise
 * estimate ε. Port of {@code diffusion_labs/predictors/predictor.py}. Coefficients are looked up in float64 and
 * results are cast to the type of x_t; the optional clamp applies to x0 (e.g. to [−1, 1] for images).
 */
public sealed interface Predictor permits NoisePredictor, TargetPredictor, VPredictor {
    /** The schedule whose coefficients convert predictions. */
    Schedule schedule();

    /** Estimate of the clean data x0 from the model output at steps t. */
    INDArray predictX0(INDArray prediction, INDArray xt, INDArray t);

    /** Estimate of the noise ε from the model output at steps t. */
    INDArray predictNoise(INDArray prediction, INDArray xt, INDArray t);

    /** What the network is regressed on in training at steps t: ε, x0 or v for clean data x0 and its noise. */
    INDArray trainingTarget(INDArray x0, INDArray noise, INDArray t);

    /** {@link #predictX0}'s linear form before clamping, for data of rank {@code rank}. */
    X0Form x0Form(INDArray t, int rank);

    /** The same predictor over another schedule (used by strided samplers for their respaced schedule). */
    Predictor withSchedule(Schedule schedule);

    /** No clamping. */
    static UnaryOperator<INDArray> noClamp() {
        return UnaryOperator.identity();
    }

    /** Clamps every element to [min, max] into a new array (the tutorial's {@code lambda x: torch.clamp(x, -1, 1)}). */
    static UnaryOperator<INDArray> clampTo(double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException("Predictor parameter clamp given invalid value [" + min + ", " + max
                    + "]: min must be < max");
        }
        return x -> Transforms.min(Transforms.max(x, min, true), max, false); // copies once, never mutates x
    }
}
