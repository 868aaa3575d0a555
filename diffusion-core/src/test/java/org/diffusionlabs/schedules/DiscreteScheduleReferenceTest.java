package org.diffusionlabs.schedules;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Port of the reference's test_discrete_schedule.py (seed 4, linear 1000-step schedule). */
class DiscreteScheduleReferenceTest {
    private static final double ATOL = 1e-4;
    private DiscreteGaussianSchedule module;
    private Rng rng;
    private INDArray x0;
    private INDArray xt;
    private INDArray noise;
    private INDArray t;

    @BeforeEach
    void setUp() {
        module = new DiscreteGaussianSchedule(BetaSchedules.linear(1000));
        rng = new Rng(4);
        x0 = rng.randn(2, 3, 4, 4);
        xt = rng.randn(2, 3, 4, 4);
        noise = rng.randn(2, 3, 4, 4);
        t = rng.randint(0, 1000, 2, DataType.LONG);
    }

    @Test
    void inputTimestepsMatchTheReferenceDraws() {
        assertArrayEquals(new long[] {297, 782}, t.toLongVector());
    }

    @Test
    void sampleNoise() {
        assertEquals(-0.0291, module.sampleNoise(x0, rng).meanNumber().doubleValue(), ATOL);
    }

    @Test
    void sampleSteps() {
        assertEquals(1806, module.sampleSteps(x0, rng).sumNumber().longValue());
    }

    @Test
    void qSample() {
        assertEquals(-0.0033, module.qSample(x0, noise, t).meanNumber().doubleValue(), ATOL);
    }

    @Test
    void qPosterior() {
        Posterior p = module.qPosterior(x0, xt, t);
        assertEquals(-0.1944, p.mean().meanNumber().doubleValue(), ATOL);
        assertEquals(-4.6365, p.logVariance().meanNumber().doubleValue(), ATOL);
    }

    @Test
    void steps() {
        assertEquals(1000, module.steps());
    }

    @Test
    void call() {
        INDArray v = module.coefficient(Coefficient.ALPHAS_CUMPROD, t, x0.rank());
        assertEquals(DataType.DOUBLE, v.dataType());
        assertArrayEquals(new long[] {2, 1, 1, 1}, v.shape());
        assertEquals(0.2016, v.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void betaScheduleMeans() {
        assertEquals(0.0124415, mean(BetaSchedules.cosine(1000)), 1e-6);
        assertEquals(0.0100500, mean(BetaSchedules.linear(1000)), 1e-6);
        assertEquals(0.0071743, mean(BetaSchedules.quadratic(1000)), 1e-6);
        assertEquals(0.0100500, mean(BetaSchedules.sigmoid(1000)), 1e-6);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }
}
