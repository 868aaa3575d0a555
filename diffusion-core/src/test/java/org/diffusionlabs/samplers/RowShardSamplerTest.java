package org.diffusionlabs.samplers;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.NativeThreads;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Row shards on worker threads: each shard's rows equal sampling those rows alone (same model, same noise rows) on
 * a one-OpenMP-thread thread, bit for bit; the result is in row order and deterministic.
 */
class RowShardSamplerTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    private static Sampler ddim(AdmUNet unet, ClassifierFreeGuidance cfg) {
        return new DdimSampler(cfg.withModel(unet), SCHEDULE, new NoisePredictor(SCHEDULE, Predictor.clampTo(-1, 1)),
                EvalSteps.linspace(1000, 6), 0.5);
    }

    @Test
    void shardsEqualTheirRowsSampledAloneInRowOrder() throws Exception {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.1)
                .optGuidance(2.0).optInitRng(new Rng(1)).build();
        Rng data = new Rng(3);
        INDArray xT = data.randn(5, 1, 8, 8);
        Conditioning c = Conditioning.of("digit", data.randn(5, 8));
        INDArray sharded;
        INDArray again;
        try (RowShardSampler s = new RowShardSampler(List.of(ddim(unet.replica(), cfg), ddim(unet.replica(), cfg)))) {
            assertEquals(2, s.shards());
            sharded = s.sample(xT, c, StepNoise.from(new Rng(7)));
            again = s.sample(xT, c, StepNoise.from(new Rng(7)));
            assertThrows(IllegalArgumentException.class, () -> s.sample(xT.get(NDArrayIndex.interval(0, 1)), c.rows(0, 1),
                    StepNoise.from(new Rng(7))));
        }
        assertArrayEquals(new long[] {5, 1, 8, 8}, sharded.shape());
        assertEquals(sharded, again, "same seed, same bits");

        // the reference: each shard's rows alone, with the rows of the full-batch noise, on a 1-OpenMP-thread thread
        INDArray[] alone = new INDArray[2];
        Thread t = new Thread(() -> {
            NativeThreads.setOmpThreadsOfCurrentThread(1);
            long[][] ranges = {{0, 2}, {2, 5}};
            for (int k = 0; k < 2; k++) {
                long from = ranges[k][0];
                long to = ranges[k][1];
                Rng full = new Rng(7);
                StepNoise rows = like -> {
                    long[] shape = like.shape().clone();
                    shape[0] = 5;
                    INDArray all = full.randn(shape);
                    return all.get(NDArrayIndex.interval(from, to)).dup();
                };
                alone[k] = ddim(unet.replica(), cfg).sample(xT.get(NDArrayIndex.interval(from, to)).dup(),
                        c.rows(from, to), rows, StepListener.NONE);
            }
        });
        t.start();
        t.join();
        assertEquals(alone[0], sharded.get(NDArrayIndex.interval(0, 2)), "shard 0 = rows 0..1 alone");
        assertEquals(alone[1], sharded.get(NDArrayIndex.interval(2, 5)), "shard 1 = rows 2..4 alone");
        assertTrue(sharded.sumNumber().doubleValue() != 0);
    }
}
