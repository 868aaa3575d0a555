package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.NativeBackend;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.TinyGolden;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.TrainingFeed;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The real model with the native helpers (oneDNN) on and off must agree: forward passes (repeated, so SameDiff's
 * array cache reuses arrays, which is what once broke {@code xw_plus_b}) and a few AdamW training steps. On the
 * generic build both runs use the same kernels; the test is meaningful on the default oneDNN build.
 */
class OneDnnHelpersTest {
    @AfterEach
    void restore() {
        Nd4j.getEnvironment().allowHelpers(true);
    }

    @Test
    void reportsTheNativeBuild() {
        String info = NativeBackend.ops().buildInfo();
        System.err.println("native build: " + (info.contains("HAVE_ONEDNN") ? "oneDNN" : "generic") + " (" + info.trim() + ")");
    }

    @Test
    void forwardAgreesWithHelpersOnAndOff() {
        Map<String, INDArray> in = TinyGolden.inputs();
        DiffusionOutput on1 = forward(true, in);
        DiffusionOutput on2 = forward(true, in);
        DiffusionOutput off = forward(false, in);
        Approx.assertCloseToMax(off.prediction(), on1.prediction(), 1e-5, 1e-6, "first run");
        Approx.assertCloseToMax(off.prediction(), on2.prediction(), 1e-5, 1e-6, "repeated run (array cache reuse)");
        Approx.assertCloseToMax(off.varianceValue(), on2.varianceValue(), 1e-5, 1e-6, "variance");
    }

    /**
     * Gradients at the same weights agree at the golden-gradient tolerance, and the losses along 3 AdamW steps agree.
     * (Parameters after Adam are not compared element-wise: Adam turns noise-level gradients into ±lr updates.)
     */
    @Test
    void trainingStepsAgreeWithHelpersOnAndOff() {
        Run on = train(true);
        Run off = train(false);
        for (String name : off.firstGradients.keySet()) {
            INDArray ref = off.firstGradients.get(name);
            Approx.assertCloseToMax(ref, on.firstGradients.get(name), 1e-4, 1e-6, "gradient " + name);
        }
        for (int i = 0; i < off.losses.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(off.losses[i], on.losses[i], 1e-4 * Math.abs(off.losses[i]),
                    "loss after step " + i);
        }
    }

    private record Run(Map<String, INDArray> firstGradients, double[] losses) {}

    private static DiffusionOutput forward(boolean helpers, Map<String, INDArray> in) {
        Nd4j.getEnvironment().allowHelpers(helpers);
        AdmUNet unet = TinyGolden.unet();
        unet.predict(in.get("x_t"), in.get("t"), Conditioning.of("digit", in.get("digit_embedding")));
        return unet.predict(in.get("x_t"), in.get("t"), Conditioning.of("digit", in.get("digit_embedding")));
    }

    private static Run train(boolean helpers) {
        Nd4j.getEnvironment().allowHelpers(helpers);
        AdmUNet unet = TinyGolden.unet();
        DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        TrainingGraph graph = TrainingGraph.build(unet, TrainingGraph.Loss.HYBRID, 0.0, 0.001);
        Map<String, INDArray> in = TinyGolden.inputs();
        Map<String, INDArray> feed = TrainingFeed.of(graph, schedule, in.get("x0"), in.get("x_t"), in.get("t"),
                in.get("noise"), Conditioning.of("digit", in.get("digit_embedding")));
        AdamW adam = new AdamW();
        Map<String, INDArray> first = null;
        double[] losses = new double[4];
        for (int i = 0; i < 3; i++) {
            losses[i] = graph.evaluate(feed).get(TrainingGraph.LOSS);
            Map<String, INDArray> g = graph.gradients(feed);
            if (first == null) {
                first = new java.util.LinkedHashMap<>();
                for (Map.Entry<String, INDArray> e : g.entrySet()) {
                    first.put(e.getKey(), e.getValue().dup());
                }
            }
            adam.step(unet.parameters().asMap(), g, 1e-3);
        }
        losses[3] = graph.evaluate(feed).get(TrainingGraph.LOSS);
        return new Run(first, losses);
    }
}
