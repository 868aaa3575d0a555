package org.diffusionlabs.samplers;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.ToyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Iterator;

/** DDPM/DDIM steps and trajectories against the PyTorch reference (golden/predictors_samplers.json, ToyModel). */
class SamplersGoldenTest {
    /** float32: 1e-6 of the tensor's largest value plus 1e-6 absolute (trajectories accumulate rounding). */
    private static final double REL = 1e-6;
    private static final double ABS = 1e-6;
    private static final Golden G = Golden.load("predictors_samplers.json");
    private final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
    private final Predictor predictor = new NoisePredictor(schedule, Predictor.clampTo(-1, 1));
    private final ToyModel model = new ToyModel();
    private final StepNoise fixedNoise = like -> G.tensor("inputs/step_noise");
    private final INDArray xt = G.tensor("per_schedule/linear_1000/q_sample.xt");

    @Test
    void ddpmTrainingForward() {
        DiffusionOutput out = new DdpmTraining(model, schedule, predictor).forward(xt, G.tensor("inputs/t"), Conditioning.none());
        check("ddpm/train_forward.prediction", out.prediction());
        check("ddpm/train_forward.variance_value", out.varianceValue());
        check("ddpm/train_forward.mean", out.mean());
        check("ddpm/train_forward.log_variance", out.logVariance());
    }

    @Test
    void ddpmStepOnTheFullSchedule() {
        DdpmSampler s = new DdpmSampler(model, schedule, predictor);
        check("ddpm/remove_noise.full_schedule.x_prev",
                s.removeNoise(xt, G.tensor("ddpm/remove_noise.full_schedule.t"), Conditioning.none(), fixedNoise));
    }

    @Test
    void ddpmStepOnTheTutorialStridedSchedule() {
        DdpmSampler s = new DdpmSampler(model, schedule, predictor, EvalSteps.linspace(1000, 250));
        check("ddpm/remove_noise.tutorial_strided_250.x_prev",
                s.removeNoise(xt, G.tensor("ddpm/remove_noise.tutorial_strided_250.t"), Conditioning.none(), fixedNoise));
    }

    @Test
    void ddpmTrajectoryOverTenStridedSteps() {
        EvalSteps eval = EvalSteps.linspace(1000, 10);
        org.junit.jupiter.api.Assertions.assertArrayEquals(G.longs("ddpm/trajectory_strided_10.eval_steps"), eval.steps());
        Iterator<INDArray> it = new DdpmSampler(model, schedule, predictor, eval)
                .denoise(G.tensor("inputs/x_T"), Conditioning.none(), fixedNoise);
        checkTrajectory(G.node("ddpm/trajectory_strided_10.x_after_each_step"), it);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0", "0.5", "1.0"})
    void ddimStepWithPerSampleSteps(String eta) {
        DdimSampler s = new DdimSampler(model, schedule, predictor, EvalSteps.linspace(1000, 51), Double.parseDouble(eta));
        INDArray out = s.removeNoise(G.tensor("ddim/remove_noise.xt"), Conditioning.none(),
                G.tensor("ddim/remove_noise.cur_step"), G.tensor("ddim/remove_noise.next_step"), fixedNoise);
        check("ddim/remove_noise.eta" + eta + ".x_next", out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0", "1.0"})
    void ddimTrajectoryOverElevenEvalSteps(String eta) {
        EvalSteps eval = EvalSteps.linspace(1000, 11);
        org.junit.jupiter.api.Assertions.assertArrayEquals(G.longs("ddim/trajectory_11_eval_steps.eval_steps"), eval.steps());
        DdimSampler s = new DdimSampler(model, schedule, predictor, eval, Double.parseDouble(eta));
        checkTrajectory(G.node("ddim/trajectory_11_eval_steps.eta" + eta + ".x_after_each_step"),
                s.denoise(G.tensor("inputs/x_T"), Conditioning.none(), fixedNoise));
    }

    private void checkTrajectory(JsonNode steps, Iterator<INDArray> it) {
        for (int i = 0; i < steps.size(); i++) {
            JsonNode n = steps.get(i);
            double[] data = new double[n.get("data").size()];
            for (int j = 0; j < data.length; j++) {
                data[j] = n.get("data").get(j).asDouble();
            }
            INDArray expected = Nd4j.createFromArray(data).reshape(4, 1, 4, 4);
            Approx.assertCloseToMax(expected, it.next().castTo(expected.dataType()), REL, ABS, "step " + i);
        }
        if (it.hasNext()) {
            throw new AssertionError("the sampler makes more steps than the reference: " + steps.size());
        }
    }

    private static void check(String path, INDArray actual) {
        Approx.assertCloseToMax(G.tensor(path), actual, REL, ABS, path);
    }
}
