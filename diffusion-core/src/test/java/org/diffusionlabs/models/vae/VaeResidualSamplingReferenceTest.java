package org.diffusionlabs.models.vae;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.diffusionlabs.models.vae.VaeHarness.assertShapeAndSum;

/**
 * Port of the reference's {@code test_vae_residual_sampling.py}: seed 54321, x = randn(2, 2, 16, 16) drawn before
 * the module; sums at atol 1e-4. Odd input sides are an addition of ours.
 */
class VaeResidualSamplingReferenceTest {
    @Test
    void upsample() {
        Rng rng = new Rng(54321);
        INDArray x = rng.randn(2, 2, 16, 16);
        Parameters p = new Parameters(rng);
        assertShapeAndSum(new long[] {2, 2, 32, 32}, -350.5232, VaeHarness.forward(p, new Upsample2D(p, "", 2), x));
    }

    @ParameterizedTest(name = "asymmetric_padding={0}")
    @CsvSource({"true, -18.3393", "false, -28.8385"})
    void downsample(boolean asymmetric, double expected) {
        Rng rng = new Rng(54321);
        INDArray x = rng.randn(2, 2, 16, 16);
        Parameters p = new Parameters(rng);
        assertShapeAndSum(new long[] {2, 2, 8, 8}, expected, VaeHarness.forward(p, new Downsample2D(p, "", 2, asymmetric), x));
    }

    /** Odd sides (not in the reference tests; values from the real reference, torch 1.13): 15 → 7 padded asymmetrically, 8 symmetrically. */
    @ParameterizedTest(name = "asymmetric_padding={0}")
    @CsvSource({"true, 7, 2.2464185", "false, 8, -34.537262"})
    void downsampleOddSide(boolean asymmetric, long side, double expected) {
        Rng rng = new Rng(54321);
        INDArray x = rng.randn(2, 2, 15, 15);
        Parameters p = new Parameters(rng);
        assertShapeAndSum(new long[] {2, 2, side, side}, expected, VaeHarness.forward(p, new Downsample2D(p, "", 2, asymmetric), x));
    }
}
