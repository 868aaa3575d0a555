package org.diffusionlabs.losses;

import org.diffusionlabs.schedules.BetaSchedules;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the VLB pieces not covered by the reference numbers. */
class VlbLossBehaviourTest {
    private final DiscreteGaussianSchedule schedule = new DiscreteGaussianSchedule(BetaSchedules.linear(1000));

    @Test
    void selectionDoesNotLeakTheUnselectedBranch() {
        // t = 0 with a log variance so small that e^{-lv} overflows float32: the KL is not finite (inf or NaN),
        // the NLL is finite (0); masking arithmetically (mask·nll + (1 − mask)·kl) would give NaN.
        INDArray x0 = Nd4j.createFromArray(new float[] {-1f, 0f, 0.5f, 1f}).reshape(1, 1, 2, 2);
        INDArray logVar = Nd4j.valueArrayOf(new long[] {1, 1, 2, 2}, -200f, DataType.FLOAT);
        VlbTerms terms = new VlbLoss(schedule).perSampleTerms(x0, logVar, x0, x0, Nd4j.createFromArray(0L));
        assertTrue(!Double.isFinite(terms.kl().getDouble(0)), "kl " + terms.kl().getDouble(0));
        assertEquals(0.0, terms.selected().getDouble(0), 1e-6);
    }

    @Test
    void edgeBinsUseTheOneSidedCdf() {
        // x = −1 and x = 1 are in the open-ended edge bins: with the mean on the data point, log Φ(1/255/σ) and
        // log(1 − Φ(−1/255/σ)) are both ≈ log 1 = 0 for tiny σ, while an interior point gets the two-sided bin.
        INDArray x = Nd4j.createFromArray(new float[] {-1f, 1f, 0f});
        INDArray logScale = Nd4j.valueArrayOf(new long[] {3}, -10f, DataType.FLOAT);
        INDArray ll = VlbLoss.discretizedGaussianLogLikelihood(x, x, logScale);
        assertArrayEquals(new double[] {0, 0, 0}, ll.toDoubleVector(), 1e-6);
        INDArray wide = Nd4j.valueArrayOf(new long[] {3}, 2f, DataType.FLOAT);
        double[] w = VlbLoss.discretizedGaussianLogLikelihood(x, Nd4j.zeros(DataType.FLOAT, 3), wide).toDoubleVector();
        assertTrue(w[0] < -0.6 && w[1] < -0.6, "edge bins hold about half the mass: " + w[0] + ", " + w[1]);
        assertTrue(w[2] < -6, "an interior bin of a wide Gaussian is narrow: " + w[2]);
    }

    @Test
    void keepsTheDataTypeAndReducesPerSample() {
        INDArray x = Nd4j.linspace(-1, 1, 2 * 3 * 2, DataType.DOUBLE).reshape(2, 3, 2);
        INDArray m = VlbLoss.meanFlat(x);
        assertEquals(DataType.DOUBLE, m.dataType());
        assertArrayEquals(new long[] {2}, m.shape());
        assertEquals(x.slice(0).meanNumber().doubleValue(), m.getDouble(0), 1e-15);
        INDArray cdf = VlbLoss.approxStandardNormalCdf(Nd4j.createFromArray(0.0, 10.0, -10.0));
        assertArrayEquals(new double[] {0.5, 1.0, 0.0}, cdf.toDoubleVector(), 1e-12);
    }

    @Test
    void klOfIdenticalGaussiansIsZeroAndPositiveOtherwise() {
        INDArray m = Nd4j.createFromArray(new float[] {0f, 1f});
        INDArray lv = Nd4j.createFromArray(new float[] {0f, -1f});
        assertArrayEquals(new double[] {0, 0}, VlbLoss.normalKl(m, lv, m, lv).toDoubleVector(), 0);
        // KL(N(0,1) || N(1,1)) = 0.5
        INDArray kl = VlbLoss.normalKl(Nd4j.createFromArray(0f), Nd4j.createFromArray(0f), Nd4j.createFromArray(1f),
                Nd4j.createFromArray(0f));
        assertEquals(0.5, kl.getDouble(0), 1e-7);
    }
}
