package org.diffusionlabs.samplers;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The reference's DDPM training forward, DDPM eval step and DDIM steps with the tiny U-Net inside classifier-free
 * guidance (golden ddpm_train.*, ddpm_eval_step.x_prev, ddim_step_eta0/1.x_next), at |a−b| ≤ 1e-4·max|ref| + 1e-6.
 */
class TinySamplersGoldenTest {
    private final AdmUNet unet = TinyGolden.unet();
    private final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
    private final Predictor predictor = new NoisePredictor(schedule, Predictor.clampTo(-1, 1));
    private final Map<String, INDArray> in = TinyGolden.inputs();
    private final Map<String, INDArray> out = TinyGolden.outputs();
    private final Conditioning cond = Conditioning.of("digit", in.get("digit_embedding"));
    private final StepNoise fixed = like -> in.get("step_noise");

    private ClassifierFreeGuidance guidance(double p) {
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 768).optP(p)
                .optGuidance(2.0).optInitRng(new Rng(0)).build();
        cfg.load(TinyGolden.cfgExtra());
        return cfg;
    }

    @Test
    void ddpmTrainingForwardThroughGuidanceWithoutDropout() {
        ClassifierFreeGuidance cfg = guidance(0.0);
        DdpmTraining training = new DdpmTraining((x, t, c) -> cfg.trainingForward(x, t, c, new Rng(1)), schedule, predictor);
        DiffusionOutput o = training.forward(in.get("x_t"), in.get("t"), cond);
        check("ddpm_train.prediction", o.prediction());
        check("ddpm_train.variance_value", o.varianceValue());
        check("ddpm_train.mean", o.mean());
        check("ddpm_train.log_variance", o.logVariance());
    }

    @Test
    void ddpmEvalStepOnTheTutorialSchedule() {
        DdpmSampler ddpm = new DdpmSampler(guidance(0.1), schedule, predictor, EvalSteps.linspace(1000, 250));
        check("ddpm_eval_step.x_prev", ddpm.removeNoise(in.get("x_t"), in.get("ddpm_eval_step.t"), cond, fixed));
    }

    @Test
    void ddimStepsWithEtaZeroAndOne() {
        for (double eta : new double[] {0.0, 1.0}) {
            DdimSampler ddim = new DdimSampler(guidance(0.1), schedule, predictor, EvalSteps.linspace(1000, 51), eta);
            INDArray next = ddim.removeNoise(in.get("x_t"), cond, in.get("ddim_step.cur_step"), in.get("ddim_step.next_step"),
                    fixed);
            check("ddim_step_eta" + (int) eta + ".x_next", next);
        }
    }

    private void check(String name, INDArray actual) {
        Approx.assertCloseToMax(out.get(name), actual, 1e-4, 1e-6, name);
    }
}
