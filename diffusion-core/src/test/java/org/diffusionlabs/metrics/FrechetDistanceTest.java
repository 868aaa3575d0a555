package org.diffusionlabs.metrics;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrechetDistanceTest {
    private static INDArray samples(long seed, int n, int d) {
        return new Rng(seed).randn(n, d).castTo(DataType.DOUBLE);
    }

    @Test
    void identicalSetsAreAtDistanceZero() {
        INDArray a = samples(1, 400, 6);
        assertEquals(0, FrechetDistance.between(a, a.dup()), 1e-9);
    }

    @Test
    void aShiftAddsTheSquaredShiftOnly() {
        INDArray a = samples(2, 300, 5);
        INDArray shift = Nd4j.createFromArray(1.0, -2.0, 0.5, 0.0, 3.0);
        assertEquals(1 + 4 + 0.25 + 9, FrechetDistance.between(a, a.addRowVector(shift)), 1e-9);
    }

    @Test
    void scalingMatchesTheClosedForm() {
        // b = 2a: Σ_b = 4Σ_a, (Σ_aΣ_b)^½ = 2Σ_a, so d = ‖μ_a‖² + tr Σ_a (1 + 4 − 4)
        INDArray a = samples(3, 500, 4).addRowVector(Nd4j.createFromArray(0.3, -0.1, 0.2, 0.0));
        INDArray mu = a.mean(0);
        double norm = mu.norm2Number().doubleValue();
        INDArray c = a.subRowVector(mu);
        double trace = FrechetDistance.trace(c.transpose().mmul(c).divi(499));
        assertEquals(norm * norm + trace, FrechetDistance.between(a, a.mul(2)), 1e-9);
    }

    @Test
    void independentCoordinatesGiveTheSumOfSquaredStdDifferences() {
        // columns scaled independently: diagonal-dominant covariances; check against (√a − √b)² of exact diagonals
        INDArray base = samples(4, 2000, 3);
        INDArray a = base.mulRowVector(Nd4j.createFromArray(1.0, 2.0, 3.0));
        INDArray b = base.mulRowVector(Nd4j.createFromArray(2.0, 2.0, 1.0));
        // same base → Σ_b = DΣ_aD with D = diag(2, 1, 1/3); the distance only depends on the sets, compare to brute force
        double expected = bruteForce(a, b);
        assertEquals(expected, FrechetDistance.between(a, b), 1e-6 * Math.max(1, expected));
    }

    /** Independent check: the matrix square roots by Denman–Beavers iteration instead of eigen-decompositions. */
    private static double bruteForce(INDArray a, INDArray b) {
        INDArray mu1 = a.mean(0);
        INDArray mu2 = b.mean(0);
        INDArray s1 = FrechetDistance.covariance(a, mu1);
        INDArray s2 = FrechetDistance.covariance(b, mu2);
        // Σ₁^½ via Denman–Beavers iteration (no eigen-decomposition), then trace of (Σ₁^½Σ₂Σ₁^½)^½ likewise
        INDArray r1 = sqrtDenmanBeavers(s1);
        INDArray inner = r1.mmul(s2).mmul(r1);
        double traceRoot = FrechetDistance.trace(sqrtDenmanBeavers(inner));
        double m = mu1.sub(mu2).norm2Number().doubleValue();
        return m * m + FrechetDistance.trace(s1) + FrechetDistance.trace(s2) - 2 * traceRoot;
    }

    private static INDArray sqrtDenmanBeavers(INDArray a) {
        INDArray y = a.dup();
        INDArray z = Nd4j.eye(a.size(0)).castTo(DataType.DOUBLE);
        for (int i = 0; i < 60; i++) {
            INDArray yi = org.nd4j.linalg.inverse.InvertMatrix.invert(y, false);
            INDArray zi = org.nd4j.linalg.inverse.InvertMatrix.invert(z, false);
            y = y.add(zi).muli(0.5);
            z = z.add(yi).muli(0.5);
        }
        return y;
    }

    @Test
    void rejectsMismatchedWidthsAndTooFewRows() {
        INDArray a = samples(5, 10, 3);
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, samples(6, 10, 4)));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, samples(6, 1, 3)));
    }
}
