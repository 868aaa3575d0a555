package org.diffusionlabs.training;

import org.diffusionlabs.engine.ScalarKernels;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's training pass on the tiny golden U-Net against the PyTorch reference (hybrid loss terms and the
 * gradient of every parameter), on the plain-Java oracle kernels; the production kernels run the same checks through
 * {@code TrainingGraphGoldenTest}.
 */
class TrainingPassGoldenTest {
    static void check(Kernels kernels) {
        AdmUNet unet = TinyGolden.unet();
        TrainingGraph graph = TrainingGraph.build(unet, TrainingGraph.Loss.HYBRID, 0.0, 0.001);
        Map<String, INDArray> in = TinyGolden.inputs();
        Map<String, INDArray> feed = TrainingFeed.of(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000),
                in.get("x0"), in.get("x_t"), in.get("t"), in.get("noise"), Conditioning.of("digit", in.get("digit_embedding")));
        try (TrainingPass pass = new TrainingPass(graph, kernels)) {
            Map<String, Double> losses = pass.run(feed, true);
            Golden s = Golden.load("tiny_scalars.json");
            assertEquals(s.scalar("ddpm_train.mse"), losses.get("mse"), 1e-6 * s.scalar("ddpm_train.mse"));
            assertEquals(s.scalar("ddpm_train.vlb"), losses.get("vlb"), 1e-5 * s.scalar("ddpm_train.vlb"));
            assertEquals(s.scalar("ddpm_train.hybrid_loss"), losses.get("loss"), 1e-6 * s.scalar("ddpm_train.hybrid_loss"));
            Map.Entry<Integer, List<String>> m = GradientTolerance.mismatches(pass.gradients().gradients(), TinyGolden.outputs());
            int checked = m.getKey();
            List<String> bad = m.getValue();
            assertEquals(230, checked);
            assertTrue(bad.isEmpty(), String.join("\n", bad));
        }
    }

    @Test
    void lossAndEveryGradientMatchTheReferenceOnOracleKernels() {
        check(new ScalarKernels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vector", "composed"})
    void lossAndEveryGradientMatchTheReferenceOnEachImplementation(String kernels) {
        check(Kernels.named(kernels));
    }
}
