package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 6 steps == 3 steps + checkpoint + restore into fresh objects + 3 steps, bit for bit (CPU), EMA and optimiser
 * included; with and without gradient accumulation.
 */
class TrainerResumeTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private static final LabeledImages DATA = data();

    @TempDir
    Path dir;

    private static LabeledImages data() {
        Rng r = new Rng(3);
        int[] labels = new int[20];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return new LabeledImages(r.rand(20, 1, 8, 8).muli(2).subi(1), labels);
    }

    /** A fresh model, guidance, encoder, optimiser and EMA; {@code init} varies the initial weights. */
    private record Run(TrainStep step, Ema ema, Trainer trainer) {
        static Run create(long init, int accum) {
            AdmUNet unet = AdmUNet.create(MICRO, new Rng(init));
            ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                    .optInitRng(new Rng(init + 1)).build();
            LabelEmbedding encoder = LabelEmbedding.create(10, 8, new Rng(init + 2));
            TrainingGraph graph = TrainingGraph.build(unet, cfg, encoder, TrainingGraph.Loss.HYBRID, 0.1, 0.001);
            TrainStep step = new TrainStep(graph, DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000), new AdamW(), 1.0);
            Ema ema = new Ema(graph.trainables(), 0.9, true);
            LearningRateSchedule lr = new LearningRateSchedule(1e-3, 2, LearningRateSchedule.Decay.COSINE, 6, 0.1);
            return new Run(step, ema, new Trainer(step, ema, lr, DATA, 4, accum));
        }

        Trainer.State train(Trainer.State state, long until) {
            return trainer.run(state, until, Long.MAX_VALUE, 0, Trainer.Listener.NONE);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void resumingFromACheckpointContinuesBitForBit(int accum) throws IOException {
        Run straight = Run.create(0, accum);
        straight.train(new Trainer.State(0, DataCursor.start(11, DATA.size()), 5, 0), 6);

        Run first = Run.create(0, accum);
        Trainer.State half = first.train(new Trainer.State(0, DataCursor.start(11, DATA.size()), 5, 0), 3);
        CheckpointStore store = new CheckpointStore(new LocalStorage(dir), 2);
        store.save(TrainingCheckpoint.capture(first.step(), first.ema(), half, "{}", Map.of("test", "1")));

        Run resumed = Run.create(99, accum);
        Trainer.State state = TrainingCheckpoint.restore(store.latest(m -> { }).orElseThrow(), resumed.step(), resumed.ema());
        assertEquals(3, state.step);
        resumed.train(state, 6);

        Map<String, INDArray> a = straight.step().graph().trainables();
        Map<String, INDArray> b = resumed.step().graph().trainables();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertEquals(v, b.get(k), k));
        straight.ema().weights().forEach((k, v) -> assertEquals(v, resumed.ema().weights().get(k), "ema " + k));
        assertEquals(6, resumed.step().optimizer().steps());
    }
}
