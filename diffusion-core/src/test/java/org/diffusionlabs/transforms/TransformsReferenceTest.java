package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.testing.DummySchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ports of test_diffusion_transform.py and test_v_transform.py, plus the batched/unbatched forms. */
class TransformsReferenceTest {
    @Test
    void randomDiffusionStepsAddsThreeKeys() {
        Batch out = new RandomDiffusionSteps(new DummySchedule()).apply(Batch.of("x", Nd4j.ones(1)), new Rng(4));
        assertEquals(4, out.size());
        assertEquals(List.of("x", "t", "noise", "xt"), List.copyOf(out.names()));
    }

    @Test
    void computeVOfTheDummyScheduleIsZero() {
        Transform chain = Transform.compose(new RandomDiffusionSteps(new DummySchedule()), new ComputeV(new DummySchedule()));
        Batch out = chain.apply(Batch.of("x", Nd4j.ones(1)), new Rng(4));
        assertEquals(0.0, out.get("v").meanNumber().doubleValue(), 1e-4);
    }

    @Test
    void batchedStepsAreInt32PerSampleAndDrawnBeforeNoise() {
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 3, 1, 4, 4);
        Batch out = new RandomDiffusionSteps(s).apply(Batch.of("x", x), new Rng(7));
        Rng ref = new Rng(7);
        INDArray t = ref.randint(0, 1000, 3, DataType.INT);
        INDArray noise = ref.randn(3, 1, 4, 4);
        assertEquals(DataType.INT, out.get("t").dataType());
        assertArrayEquals(t.toIntVector(), out.get("t").toIntVector());
        assertEquals(noise, out.get("noise"));
        assertEquals(s.qSample(x, noise, t), out.get("xt"));
    }

    @Test
    void unbatchedSampleGetsAScalarStep() {
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 4, 4);
        Batch out = new RandomDiffusionSteps(s, false, "x", "t", "noise", "xt").apply(Batch.of("x", x), new Rng(3));
        assertEquals(0, out.get("t").rank());
        assertArrayEquals(x.shape(), out.get("xt").shape());
    }

    @Test
    void aMissingFieldIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ComputeV(new DummySchedule()).apply(Batch.of("x", Nd4j.ones(1)), new Rng(1)));
        assertTrue(e.getMessage().contains("'t'"), e.getMessage());
    }
}
