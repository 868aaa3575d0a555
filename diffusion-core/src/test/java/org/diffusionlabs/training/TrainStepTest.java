package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.predictors.PredictionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One full training step (diffusion steps, guidance dropout, res-block dropout, hybrid loss, AdamW) on a micro U-Net. */
class TrainStepTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    private TrainStep step(double dropout) {
        return step(dropout, PredictionType.NOISE);
    }

    private TrainStep step(double dropout, PredictionType prediction) {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.1)
                .optInitRng(new Rng(1)).build();
        return new TrainStep(TrainingGraph.build(unet, cfg, null, TrainingGraph.Loss.HYBRID, prediction, dropout, 0.001),
                schedule, new AdamW());
    }

    private static double[] run(TrainStep s, int steps) {
        Rng data = new Rng(5);
        INDArray x0 = data.rand(4, 1, 8, 8).muli(2).subi(1);
        Conditioning c = Conditioning.of("digit", data.randn(4, 8));
        Rng rng = new Rng(9);
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            losses[i] = s.run(x0, c, rng, 1e-3).get(TrainingGraph.LOSS);
        }
        return losses;
    }

    @Test
    void sameSeedSameLossesAndWeights() {
        TrainStep a = step(0.1);
        TrainStep b = step(0.1);
        assertEquals(java.util.Arrays.toString(run(a, 3)), java.util.Arrays.toString(run(b, 3)));
        Map<String, INDArray> pa = a.graph().trainables();
        Map<String, INDArray> pb = b.graph().trainables();
        pa.forEach((k, v) -> assertEquals(v, pb.get(k), k));
        assertEquals(3, a.optimizer().steps());
    }

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void theLossFallsOnAFixedBatch(PredictionType prediction) {
        double[] losses = run(step(0.0, prediction), 30);
        double first = (losses[0] + losses[1] + losses[2]) / 3;
        double last = (losses[27] + losses[28] + losses[29]) / 3;
        assertTrue(last < 0.8 * first, prediction + " loss " + first + " -> " + last);
    }

    @Test
    void dropoutMasksAreInvertedBernoulliAndSeeded() {
        TrainStep s = step(0.5);
        Map<String, INDArray> m1 = s.graph().dropout().draw(2, 8, 8, 42);
        Map<String, INDArray> m2 = s.graph().dropout().draw(2, 8, 8, 42);
        assertEquals(s.graph().dropout().sites().size(), m1.size());
        assertTrue(m1.size() >= 5, "every res block has a site");
        for (String k : m1.keySet()) {
            INDArray m = m1.get(k);
            assertEquals(m, m2.get(k));
            double zeros = m.eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).meanNumber().doubleValue();
            assertTrue(zeros > 0.3 && zeros < 0.7, k + " zeros " + zeros);
            assertEquals(2.0, m.maxNumber().doubleValue(), 0.0);
        }
        assertNotEquals(m1.values().iterator().next(), s.graph().dropout().draw(2, 8, 8, 43).values().iterator().next());
    }

    @Test
    void theLabelEncoderTrainsJointlyOnTheLabelsItSees() {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.1)
                .optInitRng(new Rng(1)).build();
        LabelEmbedding encoder = LabelEmbedding.create(10, 8, new Rng(2));
        INDArray before = encoder.table().dup();
        TrainStep s = new TrainStep(TrainingGraph.build(unet, cfg, encoder, TrainingGraph.Loss.HYBRID, 0.0, 0.001),
                schedule, new AdamW(0.9, 0.999, 1e-8, 0.0));
        Rng data = new Rng(5);
        INDArray x0 = data.rand(4, 1, 8, 8).muli(2).subi(1);
        Conditioning labels = Conditioning.of(TrainingFeed.LABELS, org.nd4j.linalg.factory.Nd4j.createFromArray(3, 3, 7, 1));
        Rng rng = new Rng(9);
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isFinite(s.run(x0, labels, rng, 1e-2).get(TrainingGraph.LOSS)));
        }
        assertTrue(s.graph().trainables().containsKey(LabelEmbedding.NAME));
        for (int row = 0; row < 10; row++) {
            boolean seen = row == 3 || row == 7 || row == 1;
            boolean changed = !before.getRow(row).equals(encoder.table().getRow(row));
            assertEquals(seen, changed, "row " + row);
        }
    }

    @Test
    void aNonFiniteLossLeavesTheWeightsUntouched() {
        TrainStep s = step(0.0);
        INDArray before = s.graph().unet().parameters().asMap().get("down.0._module_list.0.weight").dup();
        INDArray x0 = org.nd4j.linalg.factory.Nd4j.valueArrayOf(new long[] {2, 1, 8, 8}, Double.NaN).castTo(
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> s.run(x0, Conditioning.of("digit", new Rng(1).randn(2, 8)), new Rng(2), 1e-3));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        assertEquals(before, s.graph().unet().parameters().asMap().get("down.0._module_list.0.weight"));
    }
}
