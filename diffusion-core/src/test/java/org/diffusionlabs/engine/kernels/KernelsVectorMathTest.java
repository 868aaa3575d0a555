package org.diffusionlabs.engine.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our float32 exp and sigmoid: accuracy against Math.exp, and the scalar twin giving the vector lanes' bits. */
class KernelsVectorMathTest {
    private static final int L = VectorMath.SPECIES.length();

    @Test
    void expIsWithin2e7RelativeOfMathExpAndScalarEqualsVector() {
        float[] in = new float[L];
        float[] out = new float[L];
        double worst = 0;
        float at = 0;
        int count = 200_000;
        for (int i = 0; i < count; i += L) {
            for (int l = 0; l < L; l++) {
                in[l] = -87f + 175f * (i + l) / count;
            }
            VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, in, 0)).intoArray(out, 0);
            for (int l = 0; l < L; l++) {
                double exact = Math.exp(in[l]);
                double rel = Math.abs(out[l] - exact) / exact;
                if (rel > worst) {
                    worst = rel;
                    at = in[l];
                }
                assertEquals(Float.floatToIntBits(out[l]), Float.floatToIntBits(VectorMath.exp(in[l])),
                        "scalar and vector exp differ at " + in[l]);
            }
        }
        assertTrue(worst <= 2e-7, "max relative error " + worst + " at x = " + at);
        assertEquals(1f, VectorMath.exp(0f));
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        assertEquals(0.5f, VectorMath.sigmoid(0f));
        assertEquals(1f, VectorMath.sigmoid(200f));
        assertEquals(0f, VectorMath.sigmoid(-200f), 1e-37f);
        assertTrue(Float.isNaN(VectorMath.sigmoid(Float.NaN)));
        for (float z = -30; z <= 30; z += 0.37f) {
            assertEquals(1 / (1 + Math.exp(-z)), VectorMath.sigmoid(z), 2e-7, "sigmoid(" + z + ")");
        }
    }
}
