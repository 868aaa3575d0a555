package org.diffusionlabs.training;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.models.vae.VaeConfig;
import org.diffusionlabs.models.vae.VaeNetwork;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VAE training: 6 steps == 3 steps + checkpoint (through a {@link CheckpointStore} on disk) + restore into fresh
 * objects of other initial weights + 3 steps, bit for bit, optimiser and EMA included, with dropout on; the loss
 * falls; data of another channel count is refused.
 */
class VaeTrainerResumeTest {
    private static final VaeConfig CONFIG = VaeConfig.builder().setEmbeddingChannels(2).setInChannels(1).setOutChannels(1)
            .setZChannels(2).setChannels(8).setNumResBlocks(1).optChannelMultipliers(1, 2).optNormGroups(4)
            .optDropout(0.1).build();
    private static final LabeledImages DATA = new LabeledImages(new Rng(3).rand(12, 1, 8, 8).muli(2).subi(1), new int[12]);

    @TempDir
    Path dir;

    /** A fresh VAE, optimiser and EMA from initial-weight seed {@code init}, and its step losses. */
    private record Run(VariationalAutoencoder vae, AdamW adam, Ema ema, List<Double> losses) {
        static Run create(long init) {
            VariationalAutoencoder vae = VariationalAutoencoder.ldmVariationalAutoencoder(CONFIG, new Rng(init));
            return new Run(vae, new AdamW(), new Ema(vae.stateDict(), 0.9, true), new ArrayList<>());
        }

        Trainer.State train(Trainer.State state, long until) {
            try (VaeNetwork net = vae.network(Kernels.get())) {
                LearningRateSchedule lr = new LearningRateSchedule(3e-3, 2, LearningRateSchedule.Decay.COSINE, 6, 0.1);
                return new VaeTrainer(vae, net, adam, ema, lr, DATA, 4, 1e-3, 1.0)
                        .run(state, until, Long.MAX_VALUE, 0, (s, l, r, sec) -> losses.add(l.get(VaeTrainer.LOSS)));
            }
        }
    }

    @Test
    void resumingFromACheckpointContinuesBitForBit() throws IOException {
        Run straight = Run.create(0);
        straight.train(Trainer.State.start(5, DATA.size()), 6);

        Run first = Run.create(0);
        Trainer.State half = first.train(Trainer.State.start(5, DATA.size()), 3);
        CheckpointStore store = VaeCheckpoint.store(new LocalStorage(dir), 2);
        store.save(VaeCheckpoint.capture(first.vae(), first.adam(), first.ema(), half, "{}", Map.of("test", "1")));

        Run resumed = Run.create(99);
        String firstName = straight.vae().stateDict().keySet().iterator().next();
        assertNotEquals(straight.vae().stateDict().get(firstName), resumed.vae().stateDict().get(firstName),
                "other initial weights before the restore");
        Trainer.State state = VaeCheckpoint.restore(store.latest(m -> { }).orElseThrow(), resumed.vae(), resumed.adam(),
                resumed.ema());
        assertEquals(3, state.step);
        resumed.train(state, 6);

        assertEquals(straight.losses().subList(3, 6), resumed.losses(), "losses of steps 4..6");
        assertSame(straight.vae().stateDict(), resumed.vae().stateDict(), "weights");
        assertSame(straight.ema().weights(), resumed.ema().weights(), "EMA");
        assertSame(straight.adam().state(), resumed.adam().state(), "optimiser moments");
        assertTrue(straight.losses().get(5) < straight.losses().get(0), "loss falls: " + straight.losses());
    }

    @Test
    void imagesOfAnotherChannelCountAreRefused() {
        VariationalAutoencoder vae = VariationalAutoencoder.ldmVariationalAutoencoder(CONFIG, new Rng(0));
        LabeledImages rgb = new LabeledImages(new Rng(1).rand(4, 3, 8, 8), new int[4]);
        try (VaeNetwork net = vae.network(Kernels.get())) {
            LearningRateSchedule lr = new LearningRateSchedule(1e-3, 0, LearningRateSchedule.Decay.CONSTANT, 2, 0.1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VaeTrainer(vae, net, new AdamW(), null, lr, rgb, 2, 1e-3, 0));
            assertTrue(e.getMessage().contains("data.channels") && e.getMessage().contains("3"), e.getMessage());
        }
    }

    private static void assertSame(Map<String, INDArray> a, Map<String, INDArray> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> assertEquals(v, b.get(k), what + ": " + k));
    }
}
