package org.diffusionlabs.losses;

import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaSchedules;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Port of the reference's test_diffusion_losses.py (seed 4, linear 1000-step schedule, atol 1e-4). */
class DiffusionLossesReferenceTest {
    private static final double ATOL = 1e-4;
    private DiscreteGaussianSchedule schedule;
    private DiffusionOutput input;
    private INDArray x0;
    private INDArray xt;
    private INDArray noise;
    private INDArray t;

    @BeforeEach
    void setUp() {
        schedule = new DiscreteGaussianSchedule(BetaSchedules.linear(1000));
        Rng rng = new Rng(4);
        INDArray prediction = rng.randn(2, 3, 4, 4);
        INDArray varianceValue = rng.randn(2, 3, 4, 4);
        INDArray mean = rng.randn(2, 3, 4, 4);
        INDArray logVariance = rng.randn(2, 3, 4, 4);
        input = new DiffusionOutput(prediction, varianceValue, mean, logVariance);
        x0 = rng.randn(2, 3, 4, 4);
        xt = rng.randn(2, 3, 4, 4);
        noise = rng.randn(2, 3, 4, 4);
        t = rng.randint(0, 1000, 2, DataType.LONG);
    }

    @Test
    void timestepsMatchTheReferenceDraws() {
        assertArrayEquals(new long[] {439, 928}, t.toLongVector());
    }

    @Test
    void hybridLossForward() {
        HybridLoss loss = new HybridLoss(schedule, new MseLoss(), 0.001);
        INDArray v = loss.loss(input.prediction(), noise, input.mean(), input.logVariance(), x0, xt, t);
        assertEquals(0, v.rank());
        assertEquals(DataType.FLOAT, v.dataType());
        assertEquals(1.9727, v.getDouble(0), ATOL);
        assertEquals(1.9727, new HybridLoss(schedule).loss(input, noise, x0, xt, t).getDouble(0), ATOL);
    }

    @Test
    void vlbLossForward() {
        INDArray v = new VlbLoss(schedule).loss(input.mean(), input.logVariance(), x0, xt, t);
        assertEquals(0, v.rank());
        assertEquals(DataType.FLOAT, v.dataType());
        assertEquals(3.9603, v.getDouble(0), ATOL);
    }

    @Test
    void approxStandardNormalCdf() {
        INDArray cdf = VlbLoss.approxStandardNormalCdf(input.prediction());
        assertEquals(DataType.FLOAT, cdf.dataType());
        assertEquals(0.5051, cdf.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void discretizedGaussianLogLikelihood() {
        // log_scale is the raw log variance here, as in the reference test; needs correctly rounded float32 tanh.
        INDArray ll = VlbLoss.discretizedGaussianLogLikelihood(x0, input.mean(), input.logVariance());
        assertEquals(DataType.FLOAT, ll.dataType());
        assertEquals(-8.1964, ll.meanNumber().doubleValue(), ATOL);
    }

    @Test
    void normalKl() {
        INDArray kl = VlbLoss.normalKl(input.mean(), input.logVariance(), input.mean(), input.logVariance());
        assertEquals(0.0, kl.meanNumber().doubleValue(), ATOL);
    }
}
