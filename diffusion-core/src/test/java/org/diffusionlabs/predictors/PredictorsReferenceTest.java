package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Port of the reference's test_predictors.py (seed 4, linear 1000 steps, no clamp). */
class PredictorsReferenceTest {
    private static final double ATOL = 1e-4;
    private DiscreteGaussianSchedule schedule;
    private INDArray prediction;
    private INDArray xt;
    private INDArray t;

    @BeforeEach
    void setUp() {
        schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        Rng rng = new Rng(4);
        prediction = rng.randn(2, 3, 4, 4);
        xt = rng.randn(2, 3, 4, 4);
        t = rng.randint(0, 1000, 2, DataType.LONG);
    }

    @Test
    void drawsMatchTheReference() {
        assertArrayEquals(new long[] {78, 718}, t.toLongVector());
    }

    @Test
    void noisePredictor() {
        Predictor p = new NoisePredictor(schedule);
        assertEquals(-1.9352, mean(p.predictX0(prediction, xt, t)), ATOL);
        assertEquals(0.0411, mean(p.predictNoise(prediction, xt, t)), ATOL);
    }

    @Test
    void targetPredictor() {
        Predictor p = new TargetPredictor(schedule);
        assertEquals(0.0411, mean(p.predictX0(prediction, xt, t)), ATOL);
        assertEquals(-0.4716, mean(p.predictNoise(prediction, xt, t)), ATOL);
    }

    @Test
    void vPredictor() {
        Predictor p = new VPredictor(schedule);
        assertEquals(-0.2107, mean(p.predictX0(prediction, xt, t)), ATOL);
        assertEquals(-0.1199, mean(p.predictNoise(prediction, xt, t)), ATOL);
    }

    @Test
    void clampNeverMutatesTheModelOutput() {
        INDArray before = prediction.dup();
        new TargetPredictor(schedule, Predictor.clampTo(-0.1, 0.1)).predictX0(prediction, xt, t);
        assertEquals(before, prediction);
    }

    @Test
    void shapeMismatchAndBadClampAreRejected() {
        Predictor p = new NoisePredictor(schedule);
        assertThrows(IllegalArgumentException.class, () -> p.predictX0(Nd4j.zeros(2, 3, 4, 5), xt, t));
        assertThrows(IllegalArgumentException.class, () -> Predictor.clampTo(1, -1));
        assertThrows(IllegalArgumentException.class, () -> PredictionType.parse("epsilonn"));
    }

    private static double mean(INDArray a) {
        return a.meanNumber().doubleValue();
    }
}
