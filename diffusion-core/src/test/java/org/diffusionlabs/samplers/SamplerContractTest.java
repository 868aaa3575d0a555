package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.ToyModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What every sampler promises: determinism under a seed, statelessness across threads, progress, and rejections. */
class SamplerContractTest {
    private final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
    private final Predictor predictor = new NoisePredictor(schedule, Predictor.clampTo(-1, 1));
    private final List<Sampler> samplers = List.of(
            new DdpmSampler(new ToyModel(), schedule, predictor, EvalSteps.linspace(1000, 25)),
            new DdimSampler(new ToyModel(), schedule, predictor, EvalSteps.linspace(1000, 25), 0.5));

    @Test
    void sameSeedSameBits() {
        for (Sampler s : samplers) {
            INDArray a = s.sample(new Rng(1).randn(2, 1, 8, 8), Conditioning.none(), new Rng(2));
            INDArray b = s.sample(new Rng(1).randn(2, 1, 8, 8), Conditioning.none(), new Rng(2));
            assertEquals(a, b);
        }
    }

    @Test
    void oneSamplerServesTwoThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (Sampler s : samplers) {
                INDArray expected = s.sample(new Rng(5).randn(2, 1, 8, 8), Conditioning.none(), new Rng(6));
                List<Future<INDArray>> runs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(pool.submit(() -> s.sample(new Rng(5).randn(2, 1, 8, 8), Conditioning.none(), new Rng(6))));
                }
                for (Future<INDArray> f : runs) {
                    assertEquals(expected, f.get());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void progressIsReportedForEveryStep() {
        for (Sampler s : samplers) {
            int[] calls = new int[1];
            s.sample(new Rng(1).randn(1, 1, 4, 4), Conditioning.none(), StepNoise.from(new Rng(1)), (done, total) -> {
                calls[0]++;
                assertEquals(s.numSteps(), total);
            });
            assertEquals(s.numSteps(), calls[0]);
        }
        assertEquals(25, samplers.get(0).numSteps());
        assertEquals(24, samplers.get(1).numSteps());
    }

    @Test
    void noEvalStepsReturnsTheInput() {
        INDArray x = Nd4j.ones(1, 1, 2, 2);
        DdpmSampler s = new DdpmSampler(new ToyModel(), schedule, predictor, new EvalSteps(new long[0], 1000));
        assertSame(x, s.sample(x, Conditioning.none(), new Rng(1)));
    }

    @Test
    void badConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new EvalSteps(new long[] {0, 5, 5}, 1000));
        assertThrows(IllegalArgumentException.class, () -> new EvalSteps(new long[] {0, 1000}, 1000));
        assertThrows(IllegalArgumentException.class, () -> EvalSteps.linspace(1000, 1001));
        assertThrows(IllegalArgumentException.class,
                () -> new DdpmSampler(new ToyModel(), schedule, predictor, new EvalSteps(new long[] {3}, 1000)));
        assertThrows(IllegalArgumentException.class,
                () -> new DdpmSampler(new ToyModel(), schedule, predictor, EvalSteps.all(50)));
        assertThrows(IllegalArgumentException.class,
                () -> new DdimSampler(new ToyModel(), schedule, predictor, EvalSteps.all(1000), -0.1));
        DdpmSampler ddpm = new DdpmSampler(new ToyModel(), schedule, predictor);
        assertThrows(IllegalArgumentException.class, () -> ddpm.removeNoise(Nd4j.zeros(1, 1, 2, 2),
                Nd4j.createFromArray(2.5), Conditioning.none(), StepNoise.from(new Rng(1))));
    }
}
