package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.engine.ScalarKernels;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's training pass against the SameDiff graph (the oracle) where the golden files are silent: a label
 * encoder, guidance with dropped conditions, res-block dropout, each prediction type, two resolutions with attention.
 */
class TrainingPassOracleTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);

    static void compare(PredictionType prediction, Kernels kernels) {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.5)
                .optInitRng(new Rng(1)).build();
        LabelEmbedding encoder = LabelEmbedding.create(10, 8, new Rng(2));
        TrainingGraph graph = TrainingGraph.build(unet, cfg, encoder, TrainingGraph.Loss.HYBRID, prediction, 0.3, 0.001);
        TrainStep step = new TrainStep(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, 1000), new AdamW());
        Rng data = new Rng(5);
        INDArray x0 = data.rand(6, 1, 8, 8).muli(2).subi(1);
        INDArray labels = org.nd4j.linalg.factory.Nd4j.createFromArray(3, 1, 4, 1, 5, 9);
        Map<String, INDArray> feed = step.feed(x0, Conditioning.of(TrainingFeed.LABELS, labels), new Rng(11));
        feed.put(TrainingFeed.T, org.nd4j.linalg.factory.Nd4j.createFromArray(0f, 1f, 10f, 400f, 900f, 999f));
        Map<String, Double> ref = graph.oracle().evaluate(feed);
        Map<String, INDArray> refGrads = graph.oracle().gradients(feed);
        try (TrainingPass pass = new TrainingPass(graph, kernels)) {
            Map<String, Double> got = pass.run(feed, true);
            ref.forEach((k, v) -> assertEquals(v, got.get(k), 1e-5 * Math.abs(v) + 1e-7, k));
            List<String> bad = new ArrayList<>();
            for (Map.Entry<String, INDArray> e : pass.gradients().gradients().entrySet()) {
                INDArray r = refGrads.get(e.getKey()).castTo(DataType.DOUBLE);
                double max = r.amaxNumber().doubleValue();
                double diff = r.sub(e.getValue().castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
                if (!(diff <= 1e-4 * max + 1e-6)) {
                    bad.add(e.getKey() + " maxdiff " + diff + " (max|ref| " + max + ")");
                }
            }
            assertTrue(bad.isEmpty(), String.join("\n", bad));
            assertTrue(pass.gradients().slot(LabelEmbedding.NAME).grad().amaxNumber().doubleValue() > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void matchesTheSameDiffGraphOnOracleKernels(PredictionType prediction) {
        compare(prediction, new ScalarKernels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "composed"})
    void matchesTheSameDiffGraphOnEachImplementation(String kernels) {
        compare(PredictionType.V, Kernels.named(kernels));
    }
}
