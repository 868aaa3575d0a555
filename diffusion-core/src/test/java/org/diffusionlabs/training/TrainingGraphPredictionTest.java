package org.diffusionlabs.training;

import org.diffusionlabs.losses.HybridLoss;
import org.diffusionlabs.losses.MseLoss;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.samplers.DdpmTraining;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.transforms.Batch;
import org.diffusionlabs.transforms.ComputeV;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For every prediction type, the training graph's MSE and hybrid losses equal the eager computation: the U-Net's
 * forward, the matching eager predictor (clamped x0) in {@link DdpmTraining}, and {@link MseLoss} / {@link HybridLoss}
 * against the target ε, x0 or v.
 */
class TrainingGraphPredictionTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void graphLossesEqualTheEagerPredictorAndLosses(PredictionType prediction) {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        Rng rng = new Rng(4);
        INDArray x0 = rng.rand(6, 1, 8, 8).muli(2.4).subi(1.2); // some pixels beyond ±1 and ±0.999: every VLB branch
        INDArray t = org.nd4j.linalg.factory.Nd4j.createFromArray(0, 1, 17, 250, 640, 999);
        INDArray noise = SCHEDULE.sampleNoise(x0, rng);
        INDArray xt = SCHEDULE.qSample(x0, noise, t);
        Conditioning c = Conditioning.of("digit", rng.randn(6, 8));
        INDArray target = prediction.create(SCHEDULE, Predictor.noClamp()).trainingTarget(x0, noise, t);

        Predictor predictor = prediction.create(SCHEDULE, Predictor.clampTo(-1, 1));
        DiffusionOutput eager = new DdpmTraining(unet, SCHEDULE, predictor).forward(xt, t, c);
        double mse = new MseLoss().loss(eager.prediction(), target).getDouble(0);
        double hybrid = new HybridLoss(SCHEDULE, 0.001).loss(eager, target, x0, xt, t).getDouble(0);
        double vlb = new HybridLoss(SCHEDULE, 0.001).vlbLoss().loss(eager.mean(), eager.logVariance(), x0, xt, t).getDouble(0);

        TrainingGraph mseGraph = TrainingGraph.build(unet, null, null, TrainingGraph.Loss.MSE, prediction, 0.0, 0.001);
        Map<String, Double> m = mseGraph.evaluate(TrainingFeed.of(mseGraph, SCHEDULE, x0, xt, t, target, c));
        assertEquals(mse, m.get(TrainingGraph.MSE), 1e-5 * mse, prediction + " mse");
        assertEquals(mse, m.get(TrainingGraph.LOSS), 1e-5 * mse, prediction + " loss");

        TrainingGraph hybridGraph = TrainingGraph.build(unet, null, null, TrainingGraph.Loss.HYBRID, prediction, 0.0, 0.001);
        Map<String, Double> h = hybridGraph.evaluate(TrainingFeed.of(hybridGraph, SCHEDULE, x0, xt, t, target, c));
        assertEquals(prediction, hybridGraph.prediction());
        assertEquals(mse, h.get(TrainingGraph.MSE), 1e-5 * mse, prediction + " hybrid mse");
        assertEquals(vlb, h.get(TrainingGraph.VLB), 1e-4 * vlb, prediction + " vlb");
        assertEquals(hybrid, h.get(TrainingGraph.LOSS), 1e-5 * hybrid, prediction + " hybrid");
    }

    /** The target is what the predictor inverts: its x0 from the true target (and x_t) is the clamped clean data. */
    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void theTargetIsWhatTheMatchingPredictorInverts(PredictionType prediction) {
        Rng rng = new Rng(8);
        INDArray x0 = rng.rand(4, 1, 4, 4).muli(2).subi(1);
        INDArray t = org.nd4j.linalg.factory.Nd4j.createFromArray(0, 3, 400, 999);
        INDArray noise = SCHEDULE.sampleNoise(x0, rng);
        INDArray xt = SCHEDULE.qSample(x0, noise, t);
        INDArray target = prediction.create(SCHEDULE, Predictor.noClamp()).trainingTarget(x0, noise, t);
        INDArray back = prediction.create(SCHEDULE, Predictor.clampTo(-1, 1)).predictX0(target, xt, t);
        assertTrue(back.sub(x0).amaxNumber().doubleValue() < 2e-4, prediction + ": " + back.sub(x0).amaxNumber());
        if (prediction == PredictionType.V) {
            INDArray v = new ComputeV(SCHEDULE).apply(Batch.of("x", x0).with("t", t).with("noise", noise), new Rng(0)).get("v");
            assertEquals(v, target);
        }
    }
}
