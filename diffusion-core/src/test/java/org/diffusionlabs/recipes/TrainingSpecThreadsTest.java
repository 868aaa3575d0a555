package org.diffusionlabs.recipes;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainingSpec#threads()}: two threads train the tiny model to the losses of one (within float rounding: the
 * workers may use other OpenMP thread counts than the caller), bad counts are rejected naming the value, the old
 * constructor means one thread, and JSON and Java serialisation keep the value (JSON unchanged for one thread).
 */
class TrainingSpecThreadsTest {
    private static final int STEPS = 3;

    /** The tiny model (one 32-channel level, 8×8 grey images), hybrid loss, guidance and res-block dropout. */
    private static TrainingSpec spec(int threads) {
        AdmUNetConfig unet = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 0, 1).withDropout(0.1);
        ModelSpec model = new ModelSpec(unet, BetaScheduleKind.LINEAR, 100, PredictionType.NOISE,
                TrainingGraph.Loss.HYBRID, 0.001, 0.3, 2.0, 10);
        return new TrainingSpec(model, OptimizerSpec.adamW(), LearningRateSchedule.constant(1e-3),
                new TrainingSpec.EmaSpec(0.9, true), 4, 2, 7, threads);
    }

    /** The loss of every optimiser step of {@link #STEPS} on fixed random digits. */
    private static List<Double> losses(TrainingSpec spec) {
        Rng r = new Rng(3);
        int n = 16;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        LabeledImages data = new LabeledImages(r.rand(n, 1, 8, 8).muli(2).subi(1), labels);
        List<Double> out = new ArrayList<>();
        try (TrainingSpec.Built built = spec.build()) {
            assertEquals(spec.threads() > 1, built.step().replicas() != null);
            spec.trainer(built, data, spec.batch()).run(Trainer.State.start(spec.seed(), n), STEPS, Long.MAX_VALUE, 0,
                    (step, terms, lr, seconds) -> out.add(terms.get(TrainingGraph.LOSS)));
        }
        return out;
    }

    @Test
    void twoThreadsTrainToTheLossesOfOne() {
        List<Double> one = losses(spec(1));
        List<Double> two = losses(spec(2));
        assertEquals(STEPS, one.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(one.get(i), two.get(i), 1e-4, "loss of step " + (i + 1));
        }
    }

    @Test
    void rejectsThreadCountsOutsideOneToGradAccum() {
        for (int bad : new int[] {-1, 3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec(bad));
            assertTrue(e.getMessage().contains("threads given invalid value " + bad), e.getMessage());
            assertTrue(e.getMessage().contains("gradAccum = 2"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> spec(1).withThreads(5));
    }

    @Test
    void theOldConstructorAndZeroMeanOneThread() {
        TrainingSpec s = spec(2);
        assertEquals(1, new TrainingSpec(s.model(), s.optimizer(), s.lr(), s.ema(), s.batch(), s.gradAccum(), s.seed()).threads());
        assertEquals(1, s.withThreads(0).threads());
    }

    @Test
    void jsonLeavesOutOneThreadAndShowsMore() {
        assertFalse(spec(1).json().contains("threads"), spec(1).json());
        assertTrue(spec(2).json().contains("\"threads\" : 2"), spec(2).json());
    }

    @Test
    void javaSerialisationKeepsTheThreads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(spec(2));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TrainingSpec back = (TrainingSpec) in.readObject();
            assertEquals(2, back.threads());
            assertNotNull(back.ema());
            assertEquals(spec(2).json(), back.json());
        }
    }
}
