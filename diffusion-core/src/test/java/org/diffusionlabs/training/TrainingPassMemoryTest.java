package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory by plan: after the first pass of a shape, further passes allocate no native array in the engine. */
class TrainingPassMemoryTest {
    @Test
    void passesAfterTheFirstAllocateNothing() {
        AdmUNetConfig config = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 2, 1);
        AdmUNet unet = AdmUNet.create(config, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                .optInitRng(new Rng(1)).build();
        TrainingGraph graph = TrainingGraph.build(unet, cfg, null, TrainingGraph.Loss.HYBRID, PredictionType.V, 0.1, 0.001);
        TrainStep step = new TrainStep(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, 1000), new AdamW());
        Rng data = new Rng(5);
        INDArray x0 = data.rand(4, 1, 16, 16).muli(2).subi(1);
        Conditioning c = Conditioning.of("digit", data.randn(4, 8));
        Rng rng = new Rng(7);
        try (TrainingPass pass = new TrainingPass(graph, Kernels.get())) {
            pass.run(step.feed(x0, c, rng), true);
            long allocations = pass.allocations();
            long bytes = pass.arenaBytes();
            assertTrue(allocations > 0 && bytes > 0);
            for (int i = 0; i < 3; i++) {
                Map<String, Double> losses = pass.run(step.feed(x0, c, rng), true);
                assertTrue(Double.isFinite(losses.get(TrainingGraph.LOSS)));
            }
            assertEquals(allocations, pass.allocations(), "arrays allocated after the first pass");
            assertEquals(bytes, pass.arenaBytes());
        }
    }

    /** Releasing the activations between steps (before a progress grid) frees them and changes no result. */
    @Test
    void releasingBetweenStepsFreesTheArenaAndChangesNothing() {
        AdmUNetConfig config = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 2, 1);
        Rng data = new Rng(5);
        INDArray x0 = data.rand(4, 1, 16, 16).muli(2).subi(1);
        Conditioning c = Conditioning.of("digit", data.randn(4, 8));
        float[][] params = new float[2][];
        for (int run = 0; run < 2; run++) {
            AdmUNet unet = AdmUNet.create(config, new Rng(0));
            ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                    .optInitRng(new Rng(1)).build();
            TrainingGraph graph = TrainingGraph.build(unet, cfg, null, TrainingGraph.Loss.HYBRID, PredictionType.V, 0.1, 0.001);
            TrainStep step = new TrainStep(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, 1000), new AdamW());
            Rng rng = new Rng(7);
            for (int i = 0; i < 3; i++) {
                step.run(List.of(new TrainStep.MicroBatch(x0, c)), rng, 1e-3);
                if (run == 1) {
                    assertTrue(graph.engineArenaBytes() > 0);
                    step.releaseActivations();
                    assertEquals(0, graph.engineArenaBytes(), "bytes held after the release");
                }
            }
            params[run] = Nd4j.toFlattened(unet.parameters().asMap().values()).toFloatVector();
        }
        assertArrayEquals(params[0], params[1], 0f);
    }
}
