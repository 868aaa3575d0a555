package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs one VAE module on the engine for the reference-test ports, and compares sums the way they do. */
final class VaeHarness {
    private VaeHarness() {}

    /** The module's forward output (a copy) over the live values of {@code p}, with the given dropout masks. */
    static INDArray forward(Parameters p, VaeModule m, INDArray x, DropoutNoise dropout) {
        try (GradientBuffer g = new GradientBuffer(p.asMap()); Arena arena = new Arena()) {
            m.bind(g, Kernels.get());
            return m.forward(arena, x, dropout, false).dup();
        }
    }

    static INDArray forward(Parameters p, VaeModule m, INDArray x) {
        return forward(p, m, x, DropoutNoise.NONE);
    }

    static double sum(INDArray a) {
        return a.castTo(DataType.DOUBLE).sumNumber().doubleValue();
    }

    /** |Σa − expected| ≤ tol. */
    static void assertSum(double expected, INDArray actual, double tol) {
        double s = sum(actual);
        assertTrue(Math.abs(s - expected) <= tol, "sum " + s + " vs expected " + expected + " (tol " + tol + ")");
    }

    /** The reference tests' atol 1e-4 on a sum, after the shape check. */
    static void assertShapeAndSum(long[] shape, double expected, INDArray actual) {
        assertArrayEquals(shape, actual.shape());
        assertSum(expected, actual, 1e-4);
    }
}
