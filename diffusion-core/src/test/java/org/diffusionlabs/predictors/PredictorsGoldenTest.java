package org.diffusionlabs.predictors;

import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.transforms.Batch;
import org.diffusionlabs.transforms.ComputeV;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * q_sample, q_posterior, ComputeV and the three predictors (with and without clamp) against the PyTorch
 * reference's golden/predictors_samplers.json, for the linear and cosine schedules.
 */
class PredictorsGoldenTest {
    /** float32 outputs: 1e-6 relative to the tensor's largest value (golden README), plus 1e-7 absolute. */
    private static final double REL = 1e-6;
    private static final double ABS = 1e-7;
    private static final Golden G = Golden.load("predictors_samplers.json");

    @ParameterizedTest
    @ValueSource(strings = {"linear", "cosine"})
    void scheduleFunctionsMatch(String beta) {
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.parse(beta), 1000);
        Golden g = G.at("per_schedule/" + beta + "_1000");
        INDArray x0 = G.tensor("inputs/x0");
        INDArray t = G.tensor("inputs/t");
        INDArray xt = s.qSample(x0, G.tensor("inputs/noise"), t);
        Approx.assertCloseToMax(g.tensor("q_sample.xt"), xt, REL, ABS, "q_sample");
        Posterior p = s.qPosterior(x0, xt, t);
        Approx.assertCloseToMax(g.tensor("q_posterior.default.mean"), p.mean(), REL, ABS, "posterior mean");
        Approx.assertCloseToMax(g.tensor("q_posterior.default.log_variance"), p.logVariance(), REL, ABS, "posterior logvar");
        Posterior pv = s.qPosterior(x0, xt, t, G.tensor("inputs/variance_value"));
        Approx.assertCloseToMax(g.tensor("q_posterior.with_variance_value.mean"), pv.mean(), REL, ABS, "mean (v)");
        Approx.assertCloseToMax(g.tensor("q_posterior.with_variance_value.log_variance"), pv.logVariance(), REL, ABS,
                "logvar (v)");
        Batch b = new ComputeV(s).apply(Batch.of("x", x0).with("t", t).with("noise", G.tensor("inputs/noise")), null);
        Approx.assertCloseToMax(g.tensor("ComputeV.v"), b.get("v"), REL, ABS, "ComputeV");
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "cosine"})
    void predictorsMatch(String beta) {
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.parse(beta), 1000);
        Golden g = G.at("per_schedule/" + beta + "_1000");
        INDArray t = G.tensor("inputs/t");
        INDArray xt = g.tensor("q_sample.xt");
        INDArray prediction = G.tensor("inputs/prediction");
        for (PredictionType type : PredictionType.values()) {
            for (boolean clamp : new boolean[] {false, true}) {
                UnaryOperator<INDArray> f = clamp ? Predictor.clampTo(-1, 1) : Predictor.noClamp();
                Predictor p = type.create(s, f);
                String key = name(type) + "." + (clamp ? "clamp" : "noclamp");
                Approx.assertCloseToMax(g.tensor(key + ".predict_x0"), p.predictX0(prediction, xt, t), REL, ABS,
                        beta + " " + key + " x0");
                Approx.assertCloseToMax(g.tensor(key + ".predict_noise"), p.predictNoise(prediction, xt, t), REL, ABS,
                        beta + " " + key + " noise");
            }
        }
    }

    private static String name(PredictionType type) {
        return switch (type) {
            case NOISE -> "NoisePredictor";
            case TARGET -> "TargetPredictor";
            case V -> "VPredictor";
        };
    }
}
