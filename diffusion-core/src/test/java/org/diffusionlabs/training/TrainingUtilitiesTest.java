package org.diffusionlabs.training;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** EMA, learning-rate schedules and gradient clipping. */
class TrainingUtilitiesTest {
    @Test
    void emaFollowsTheWeightsWithItsDecay() {
        Map<String, INDArray> p = new LinkedHashMap<>(Map.of("w", Nd4j.createFromArray(0f, 10f)));
        Ema ema = new Ema(p, 0.9, false);
        p.get("w").assign(Nd4j.createFromArray(1f, 0f));
        ema.update(p);
        assertEquals(0.1, ema.weights().get("w").getDouble(0), 1e-6);
        assertEquals(9.0, ema.weights().get("w").getDouble(1), 1e-6);
        Ema warm = new Ema(p, 0.999, true);
        assertEquals(0.1, warm.currentDecay(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Ema(p, 1.0, false));
    }

    @Test
    void warmupThenCosineDecay() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, LearningRateSchedule.Decay.COSINE, 110, 0.1);
        assertEquals(1e-4, s.rate(0), 1e-12);
        assertEquals(1e-3, s.rate(9), 1e-12);
        assertEquals(1e-3, s.rate(10), 1e-12);
        assertEquals(0.55e-3, s.rate(60), 1e-12);
        assertEquals(1e-4, s.rate(110), 1e-12);
        assertEquals(1e-4, s.rate(500), 1e-12);
        assertEquals(2e-3, LearningRateSchedule.constant(2e-3).rate(1000), 0);
        assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(1e-3, 10, LearningRateSchedule.Decay.LINEAR, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Decay.parse("cosin"));
    }

    @Test
    void clippingScalesOnlyAboveTheMaximum() {
        Map<String, INDArray> g = Map.of("a", Nd4j.createFromArray(3f, 0f), "b", Nd4j.createFromArray(4f));
        assertEquals(5.0, GradientClipping.clip(g, 10), 1e-9);
        assertEquals(3f, g.get("a").getFloat(0));
        assertEquals(5.0, GradientClipping.clip(g, 1), 1e-9);
        assertEquals(1.0, GradientClipping.globalNorm(g), 1e-5);
    }
}
