package org.diffusionlabs.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance assertions used by the parity tests. */
public final class Approx {
    private Approx() {}

    /** |a − e| ≤ atol + rtol·|e| element-wise, with the worst element reported. */
    public static void assertClose(double[] expected, double[] actual, double rtol, double atol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + " != expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + "[" + i + "]: expected " + e + " but was " + a + " (|diff| " + Math.abs(a - e)
                        + ", rtol " + rtol + ", atol " + atol + ")");
            }
        }
    }

    /** Same shape and element-wise closeness. */
    public static void assertClose(INDArray expected, INDArray actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        assertClose(expected.castTo(DataType.DOUBLE).data().asDouble(), actual.castTo(DataType.DOUBLE).dup('c').data().asDouble(),
                rtol, atol, what);
    }

    /** The golden README's network tolerance: |a − b| ≤ relMax·max|ref| + abs. */
    public static void assertCloseToMax(INDArray expected, INDArray actual, double relMax, double abs, String what) {
        double max = expected.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
        assertClose(expected, actual, 0, relMax * max + abs, what);
    }
}
