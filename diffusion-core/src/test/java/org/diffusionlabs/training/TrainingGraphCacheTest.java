package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainingGraphOracle#lossAndGradients} (the SameDiff oracle) runs the gradient function with SameDiff's array cache on (arrays recycled
 * within and across calls); over consecutive batches its losses and gradients must equal those of
 * {@code calculateGradientsAndOutputs}, which runs with the cache off, and gradients returned earlier must not be
 * overwritten by later calls.
 */
class TrainingGraphCacheTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);

    @Test
    void recycledArraysGiveTheUncachedGradients() {
        DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.1)
                .optInitRng(new Rng(1)).build();
        TrainingGraph graph = TrainingGraph.build(unet, cfg, TrainingGraph.Loss.HYBRID, 0.1, 0.001);
        Rng rng = new Rng(3);
        List<Map<String, INDArray>> kept = new ArrayList<>();
        List<Map<String, INDArray>> copies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            INDArray x0 = rng.rand(4, 1, 8, 8).muli(2).subi(1);
            INDArray t = schedule.sampleSteps(x0, rng);
            INDArray noise = schedule.sampleNoise(x0, rng);
            Map<String, INDArray> feed = TrainingFeed.of(graph, schedule, x0, schedule.qSample(x0, noise, t), t, noise,
                    Conditioning.of("digit", rng.randn(4, 8)), cfg.keepMask(4, rng));
            feed.putAll(graph.dropout().draw(4, 8, 8, rng.nextLong64()));
            TrainingGraph.Step cached = graph.oracle().lossAndGradients(feed);
            List<String> params = List.copyOf(graph.trainables().keySet());
            OutAndGrad reference = graph.oracle().sameDiff().calculateGradientsAndOutputs(feed, List.of(TrainingGraph.LOSS), params);
            assertEquals(reference.getOutputs().get(TrainingGraph.LOSS).getDouble(0), cached.losses().get(TrainingGraph.LOSS), 0.0);
            for (String p : params) {
                INDArray want = reference.getGradients().get(p);
                INDArray got = cached.gradients().get(p);
                double scale = Math.max(1e-12, want.amaxNumber().doubleValue());
                assertTrue(want.sub(got).amaxNumber().doubleValue() <= 1e-6 * scale, "gradient of " + p + " at call " + i);
            }
            kept.add(cached.gradients());
            Map<String, INDArray> copy = new java.util.LinkedHashMap<>();
            cached.gradients().forEach((k, v) -> copy.put(k, v.dup()));
            copies.add(copy);
        }
        for (int i = 0; i < kept.size(); i++) {
            for (Map.Entry<String, INDArray> e : kept.get(i).entrySet()) {
                assertEquals(copies.get(i).get(e.getKey()), e.getValue(), "gradient " + e.getKey() + " of call " + i + " was overwritten");
            }
        }
    }
}
