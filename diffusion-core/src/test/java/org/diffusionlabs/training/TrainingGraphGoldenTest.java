package org.diffusionlabs.training;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hybrid loss of the tiny U-Net's DDPM training forward and the gradient of every parameter, against the
 * PyTorch reference (golden ddpm_train / grad.* / tiny_scalars.json).
 */
class TrainingGraphGoldenTest {
    private static Map<String, Double> losses;
    private static Map<String, INDArray> grads;

    @BeforeAll
    static void run() {
        AdmUNet unet = TinyGolden.unet();
        DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        TrainingGraph graph = TrainingGraph.build(unet, TrainingGraph.Loss.HYBRID, 0.0, 0.001);
        Map<String, INDArray> in = TinyGolden.inputs();
        Map<String, INDArray> feed = TrainingFeed.of(graph, schedule, in.get("x0"), in.get("x_t"), in.get("t"),
                in.get("noise"), Conditioning.of("digit", in.get("digit_embedding")));
        losses = graph.evaluate(feed);
        grads = graph.gradients(feed);
    }

    /** With guidance training and every condition kept (p = 0), the null embedding's gradient is exactly zero. */
    @Test
    void guidanceTrainingWithAllConditionsKeptMatchesAndLeavesTheNullEmbeddingUntouched() {
        AdmUNet unet = TinyGolden.unet();
        org.diffusionlabs.adapters.ClassifierFreeGuidance cfg = org.diffusionlabs.adapters.ClassifierFreeGuidance
                .builder(unet).addCondition("digit", 768).optP(0.0).optInitRng(new org.diffusionlabs.nd.Rng(0)).build();
        cfg.load(TinyGolden.cfgExtra());
        TrainingGraph graph = TrainingGraph.build(unet, cfg, TrainingGraph.Loss.HYBRID, 0.0, 0.001);
        Map<String, INDArray> in = TinyGolden.inputs();
        Map<String, INDArray> keep = cfg.keepMask(4, new org.diffusionlabs.nd.Rng(3));
        assertEquals(4.0, keep.get("digit").sumNumber().doubleValue());
        Map<String, INDArray> feed = TrainingFeed.of(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000),
                in.get("x0"), in.get("x_t"), in.get("t"), in.get("noise"),
                Conditioning.of("digit", in.get("digit_embedding")), keep);
        Golden s = Golden.load("tiny_scalars.json");
        assertEquals(s.scalar("ddpm_train.hybrid_loss"), graph.evaluate(feed).get("loss"), 1e-6 * s.scalar("ddpm_train.hybrid_loss"));
        INDArray g = graph.gradients(feed).get("train_unconditional_embedding.digit");
        assertEquals(0.0, g.amaxNumber().doubleValue(), 0.0);
        feed.put(TrainingFeed.KEEP_PREFIX + "digit", keep.get("digit").mul(0));
        assertTrue(graph.gradients(feed).get("train_unconditional_embedding.digit").amaxNumber().doubleValue() > 0,
                "dropped conditions train the null embedding");
    }

    @Test
    void lossTermsMatch() {
        Golden s = Golden.load("tiny_scalars.json");
        assertEquals(s.scalar("ddpm_train.mse"), losses.get("mse"), 1e-6 * s.scalar("ddpm_train.mse"));
        assertEquals(s.scalar("ddpm_train.vlb"), losses.get("vlb"), 1e-5 * s.scalar("ddpm_train.vlb"));
        assertEquals(s.scalar("ddpm_train.hybrid_loss"), losses.get("loss"), 1e-6 * s.scalar("ddpm_train.hybrid_loss"));
    }

    @Test
    void everyStoredGradientMatches() {
        Map<String, INDArray> out = TinyGolden.outputs();
        List<String> bad = new ArrayList<>();
        int checked = 0;
        double worst = 0;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray ref = out.get("grad.model." + e.getKey());
            if (ref == null) {
                continue;
            }
            checked++;
            double max = ref.amaxNumber().doubleValue();
            double diff = ref.castTo(DataType.DOUBLE).sub(e.getValue().castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            double tol = GradientTolerance.of(e.getKey(), max);
            if (!GradientTolerance.isZero(e.getKey())) {
                worst = Math.max(worst, diff / max);
            }
            if (!(diff <= tol)) {
                bad.add(e.getKey() + " maxdiff " + diff + " > " + tol + " (max|ref| " + max + ")");
            }
        }
        System.err.printf("gradients: %d checked, worst |diff|/max|ref| %.3e (zero-gradient biases excluded)%n", checked, worst);
        assertEquals(230, checked, "U-Net gradients stored in the golden file");
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void everyParameterGradientMatchesItsStatistics() {
        JsonNode stats = Golden.load("tiny_scalars.json").node("grad_stats");
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            JsonNode st = stats.get("model." + e.getKey());
            checked++;
            INDArray g = e.getValue().castTo(DataType.DOUBLE);
            double absMax = st.get("abs_max").asDouble();
            double tol = GradientTolerance.of(e.getKey(), absMax);
            double l2 = st.get("l2").asDouble();
            double ourL2 = g.norm2Number().doubleValue();
            if (!(Math.abs(ourL2 - l2) <= tol * Math.sqrt(g.length()))) {
                bad.add(e.getKey() + " l2 " + ourL2 + " vs " + l2);
            }
            JsonNode first = st.get("first8");
            INDArray flat = g.reshape(g.length());
            for (int i = 0; i < first.size(); i++) {
                if (!(Math.abs(flat.getDouble(i) - first.get(i).asDouble()) <= tol)) {
                    bad.add(e.getKey() + "[" + i + "] " + flat.getDouble(i) + " vs " + first.get(i).asDouble());
                }
            }
        }
        assertEquals(264, checked);
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
