package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.diffusionlabs.testing.TorchConv;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ports of test_sampler_ddim.py and test_sampler_ddpm.py. The DummyUNet is a 3→6 conv with PyTorch's default
 * init drawn from the same seeded generator. The reference's "training mode" remove_noise / predict_parameters use
 * the full schedule, which is what a sampler over every step computes.
 */
class SamplersReferenceTest {
    private static final double ATOL = 1e-4;

    private static INDArray firstHalf(INDArray h) {
        return h.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
    }

    // ---- test_sampler_ddim.py (autouse seed 4; module built before the inputs) ----

    private static final class DdimFixture {
        final DdimSampler sampler;
        final INDArray xt;

        DdimFixture() {
            Rng rng = new Rng(4);
            TorchConv conv = new TorchConv(rng, 3, 6);
            DenoisingModel unet = (x, t, c) -> DiffusionOutput.of(firstHalf(conv.apply(x)).dup());
            DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
            sampler = new DdimSampler(unet, s, new NoisePredictor(s), EvalSteps.all(1000), 1.0);
            rng.randn(2, 3, 4, 4); // prediction (unused)
            xt = rng.randn(2, 3, 4, 4);
            rng.randint(0, 1000, 2, DataType.LONG); // t (unused)
        }
    }

    @Test
    void ddimRemoveNoise() {
        DdimFixture f = new DdimFixture();
        INDArray cur = Nd4j.valueArrayOf(new long[] {2}, 9L, DataType.LONG);
        INDArray next = Nd4j.valueArrayOf(new long[] {2}, 8L, DataType.LONG);
        INDArray out = f.sampler.removeNoise(f.xt, Conditioning.none(), cur, next, StepNoise.from(new Rng(4)));
        assertEquals(-0.1227, out.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void ddimGeneratorTenSteps() {
        DdimFixture f = new DdimFixture();
        Iterator<INDArray> it = f.sampler.denoise(f.xt, Conditioning.none(), new Rng(4));
        INDArray last = null;
        for (int i = 0; i < 10; i++) {
            last = it.next();
        }
        assertEquals(-0.1958, last.meanNumber().doubleValue(), ATOL);
    }

    // ---- test_sampler_ddpm.py (module fixture seed 4, then input fixture reseeds 4) ----

    private static final class DdpmFixture {
        final DenoisingModel unet;
        final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        final INDArray prediction;
        final INDArray xt;
        final INDArray t;

        DdpmFixture() {
            TorchConv conv = new TorchConv(new Rng(4), 3, 6);
            unet = (x, tt, c) -> {
                INDArray h = Transforms.tanh(conv.apply(x), false);
                INDArray v = h.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).add(1).div(2);
                return DiffusionOutput.of(firstHalf(h).dup(), v);
            };
            Rng rng = new Rng(4);
            prediction = rng.randn(2, 3, 4, 4);
            xt = rng.randn(2, 3, 4, 4);
            t = rng.randint(0, 1000, 2, DataType.LONG);
        }

        DdpmSampler fullSchedule() {
            return new DdpmSampler(unet, schedule, new NoisePredictor(schedule));
        }

        DdpmSampler strided() {
            return new DdpmSampler(unet, schedule, new NoisePredictor(schedule), EvalSteps.strided(1000, 50));
        }
    }

    @Test
    void ddpmInputDraws() {
        assertArrayEquals(new long[] {78, 718}, new DdpmFixture().t.toLongVector());
    }

    @Test
    void ddpmPredictParameters() {
        DdpmFixture f = new DdpmFixture();
        Posterior p = f.fullSchedule().predictParameters(DiffusionOutput.of(f.prediction), f.xt, f.t);
        assertEquals(-0.1970, p.mean().meanNumber().doubleValue(), ATOL);
        assertEquals(-5.3342, p.logVariance().meanNumber().doubleValue(), ATOL);
    }

    @Test
    void ddpmRemoveNoise() {
        DdpmFixture f = new DdpmFixture();
        INDArray out = f.fullSchedule().removeNoise(f.xt, f.t, Conditioning.none(), StepNoise.from(new Rng(4)));
        assertEquals(-0.1876, out.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void ddpmGeneratorOverTwentyStridedSteps() {
        DdpmFixture f = new DdpmFixture();
        DdpmSampler s = f.strided();
        assertEquals(20, s.numSteps());
        INDArray last = s.sample(f.xt, Conditioning.none(), new Rng(4));
        assertEquals(-20.1526, last.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void ddpmTrainingForward() {
        DdpmFixture f = new DdpmFixture();
        DiffusionOutput out = new DdpmTraining(f.unet, f.schedule, new NoisePredictor(f.schedule))
                .forward(f.xt, f.t, Conditioning.none());
        assertEquals(-0.0852, out.prediction().meanNumber().doubleValue(), ATOL);
        assertEquals(0.4979, out.varianceValue().meanNumber().doubleValue(), ATOL);
        assertEquals(-0.1955, out.mean().meanNumber().doubleValue(), ATOL);
        assertEquals(-5.3285, out.logVariance().meanNumber().doubleValue(), ATOL);
    }
}
