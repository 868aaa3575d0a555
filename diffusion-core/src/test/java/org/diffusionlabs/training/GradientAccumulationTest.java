package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient accumulation: k micro-batches of b give the losses and gradients of one batch of k·b built from the same
 * draws; clipping sees the mean gradient; the trainer counts optimiser steps and consumes k micro-batches per step.
 */
class GradientAccumulationTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    private static TrainStep step(TrainingGraph.Loss loss, double clip) {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                .optInitRng(new Rng(1)).build();
        return new TrainStep(TrainingGraph.build(unet, cfg, null, loss, PredictionType.V, 0.0, 0.001), SCHEDULE,
                new AdamW(), clip);
    }

    private static List<TrainStep.MicroBatch> micro(int k, int b) {
        Rng data = new Rng(5);
        List<TrainStep.MicroBatch> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(new TrainStep.MicroBatch(data.rand(b, 1, 8, 8).muli(2).subi(1), Conditioning.of("digit", data.randn(b, 8))));
        }
        return out;
    }

    /** The feeds the micro-batches draw from {@code seed}, concatenated into one batch. */
    private static Map<String, INDArray> concatenatedFeed(TrainStep s, List<TrainStep.MicroBatch> micro, long seed) {
        Rng rng = new Rng(seed);
        List<Map<String, INDArray>> feeds = new ArrayList<>();
        micro.forEach(m -> feeds.add(s.feed(m.x0(), m.c(), rng)));
        Map<String, INDArray> all = new LinkedHashMap<>();
        for (String key : feeds.get(0).keySet()) {
            all.put(key, Nd4j.concat(0, feeds.stream().map(f -> f.get(key)).toArray(INDArray[]::new)));
        }
        return all;
    }

    @ParameterizedTest
    @EnumSource(TrainingGraph.Loss.class)
    void accumulatedMicroBatchesEqualOneBigBatch(TrainingGraph.Loss loss) {
        TrainStep s = step(loss, 0);
        List<TrainStep.MicroBatch> micro = micro(3, 4);
        TrainingGraph.Step accumulated = s.accumulate(micro, new Rng(9));
        TrainingGraph.Step big = s.graph().lossAndGradients(concatenatedFeed(s, micro, 9));
        big.losses().forEach((k, v) -> assertEquals(v, accumulated.losses().get(k), 1e-5 * Math.abs(v), loss + " " + k));
        assertEquals(big.gradients().keySet(), accumulated.gradients().keySet());
        // 1e-5 of each tensor's largest value, plus 1e-6 of the largest overall for tensors whose true gradient is 0
        // (biases before a one-channel-per-group GroupNorm: rounding noise of ~1e-9)
        double global = big.gradients().values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max().orElseThrow();
        big.gradients().forEach((k, want) -> {
            double scale = want.amaxNumber().doubleValue();
            double diff = want.sub(accumulated.gradients().get(k)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-5 * scale + 1e-6 * global, loss + " gradient of " + k + ": " + diff + " of " + scale);
        });
        assertEquals(0, s.optimizer().steps(), "accumulate updates nothing");
    }

    @Test
    void clippingAndTheUpdateApplyOnceToTheMeanGradient() {
        TrainStep s = step(TrainingGraph.Loss.MSE, 1e-3);
        List<TrainStep.MicroBatch> micro = micro(2, 3);
        double norm = GradientClipping.globalNorm(s.graph().lossAndGradients(concatenatedFeed(s, micro, 4)).gradients());
        Map<String, Double> losses = s.run(micro, new Rng(4), 1e-3);
        assertEquals(norm, losses.get("grad_norm"), 1e-5 * norm);
        assertEquals(1, s.optimizer().steps());
    }

    @Test
    void theTrainerCountsOptimiserStepsAndConsumesEveryMicroBatch() {
        Rng r = new Rng(3);
        int[] labels = new int[20];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        LabeledImages data = new LabeledImages(r.rand(20, 1, 8, 8).muli(2).subi(1), labels);
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        TrainingGraph graph = TrainingGraph.build(unet, null, LabelEmbedding.create(10, 8, new Rng(2)),
                TrainingGraph.Loss.MSE, PredictionType.TARGET, 0.0, 0.001);
        TrainStep step = new TrainStep(graph, SCHEDULE, new AdamW());
        LearningRateSchedule lr = new LearningRateSchedule(1e-3, 1, LearningRateSchedule.Decay.COSINE, 3, 0.1);
        List<Long> steps = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        Trainer.State state = new Trainer(step, null, lr, data, 4, 2).run(
                new Trainer.State(0, DataCursor.start(11, 20), 5, 0), 3, Long.MAX_VALUE, 0, new Trainer.Listener() {
                    @Override
                    public void onStep(long s, Map<String, Double> losses, double rate, double seconds) {
                        steps.add(s);
                        rates.add(rate);
                    }

                    @Override
                    public void onCheckpoint(long s) {
                    }
                });
        assertEquals(List.of(1L, 2L, 3L), steps);
        assertEquals(List.of(lr.rate(0), lr.rate(1), lr.rate(2)), rates);
        assertEquals(3, step.optimizer().steps());
        DataCursor expected = DataCursor.start(11, 20);
        for (int i = 0; i < 6; i++) {
            expected = expected.next(4).after();
        }
        assertEquals(expected, state.cursor);
        assertThrows(IllegalArgumentException.class, () -> new Trainer(step, null, lr, data, 4, 0));
    }
}
