package org.diffusionlabs.engine.kernels;

import org.diffusionlabs.training.AdamW;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.diffusionlabs.engine.kernels.KernelsFixture.array;
import static org.diffusionlabs.engine.kernels.KernelsFixture.floats;
import static org.diffusionlabs.engine.kernels.KernelsFixture.normal;
import static org.diffusionlabs.engine.kernels.KernelsFixture.outsideUntouched;
import static org.diffusionlabs.engine.kernels.KernelsFixture.values;
import static org.diffusionlabs.engine.kernels.KernelsFixture.view;
import static org.diffusionlabs.testing.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SiLU forward/backward, dropout, AdamW + EMA and Σx² of both implementations against float64 references, on
 * lengths that are not multiples of the vector width, on views at an offset of a flat buffer (outputs must not
 * spill), in place, and (AdamW) against {@code training.AdamW}'s own update.
 */
class KernelsElementwiseTest {
    /** Larger than one chunk, so the two-thread split and the scalar tail both run. */
    private static final int N = VectorElementwise.CHUNK * 3 + 37;

    static Stream<Kernels> implementations() {
        return KernelsFixture.implementations();
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void siluForwardAndBackward(Kernels k) {
        Random rnd = new Random(1);
        double[] x = normal(rnd, N, 0, 4);
        x[0] = 100;
        x[1] = -100;
        double[] dy = normal(rnd, N, 0, 1);
        INDArray xv = view(x, 11, N);
        INDArray y = view(null, 3, N);
        INDArray dx = view(null, 5, N);
        k.siluForward(xv, y);
        k.siluBackward(xv, view(dy, 2, N), dx);
        double[] ey = new double[N];
        double[] edx = new double[N];
        for (int i = 0; i < N; i++) {
            double s = GroupNormReference.sigmoid(x[i]);
            ey[i] = x[i] * s;
            edx[i] = dy[i] * s * (1 + x[i] * (1 - s));
        }
        assertClose(ey, values(y), 1e-6, 1e-7, "silu");
        assertClose(edx, values(dx), 1e-6, 1e-7, "silu backward");
        assertTrue(outsideUntouched(y) && outsideUntouched(dx), "wrote outside a view");
        INDArray inPlace = array(dy, N);
        k.siluBackward(xv, inPlace, inPlace);
        assertArrayEquals(floats(dx), floats(inPlace), "dx aliasing dy");
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void dropoutScalesKeptValues(Kernels k) {
        Random rnd = new Random(2);
        double[] x = normal(rnd, N, 0, 1);
        double[] mask = new double[N];
        for (int i = 0; i < N; i++) {
            mask[i] = rnd.nextDouble() < 0.3 ? 0 : 1;
        }
        INDArray xs = array(x, N);
        INDArray out = view(null, 6, N);
        k.dropout(xs, array(mask, N), 0.3, out);
        float scale = (float) (1 / 0.7);
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) {
            expected[i] = (float) x[i] * (float) mask[i] * scale;
        }
        assertArrayEquals(expected, floats(out), "dropout");
        assertTrue(outsideUntouched(out), "wrote outside a view");
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void sumOfSquaresMatchesFloat64(Kernels k) {
        Random rnd = new Random(3);
        double[] x = normal(rnd, N, 0.5, 2);
        double expected = 0;
        for (double v : x) {
            expected += v * v;
        }
        double got = k.sumOfSquares(view(x, 13, N));
        assertEquals(expected, got, 1e-7 * expected);
        assertEquals(got, k.sumOfSquares(view(x, 13, N)), 0, "deterministic");
        assertEquals(0, k.sumOfSquares(array(new double[0], 0)), 0);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void adamWEmaMatchesFloat64AndTheOptimizer(Kernels k) {
        Random rnd = new Random(4);
        int n = 1001;
        double[] p = normal(rnd, n, 0, 1);
        double[] g = normal(rnd, n, 0, 0.1);
        double[] m = normal(rnd, n, 0, 0.01);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.abs(1e-3 * rnd.nextGaussian());
        }
        double[] ema = normal(rnd, n, 0, 1);
        double lr = 1e-3;
        double wd = 0.01;
        double bc1 = 1 - Math.pow(0.9, 7);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, 7));
        INDArray pa = view(p, 3, n);
        INDArray ma = view(m, 1, n);
        INDArray va = view(v, 2, n);
        INDArray ea = view(ema, 5, n);
        k.adamWEma(pa, array(g, n), ma, va, ea, lr, 0.9, 0.999, 1e-8, wd, bc1, bc2Sqrt, 0.999);
        double[] ep = new double[n];
        double[] em = new double[n];
        double[] ev = new double[n];
        double[] ee = new double[n];
        for (int i = 0; i < n; i++) {
            em[i] = 0.9 * m[i] + 0.1 * g[i];
            ev[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            ep[i] = p[i] * (1 - lr * wd) - lr / bc1 * em[i] / (Math.sqrt(ev[i]) / bc2Sqrt + 1e-8);
            ee[i] = 0.999 * ema[i] + 0.001 * ep[i];
        }
        assertClose(em, values(ma), 1e-6, 1e-9, "m");
        assertClose(ev, values(va), 1e-6, 1e-12, "v");
        assertClose(ep, values(pa), 1e-6, 1e-7, "p");
        assertClose(ee, values(ea), 1e-6, 1e-7, "ema");
        assertTrue(outsideUntouched(pa) && outsideUntouched(ma) && outsideUntouched(va) && outsideUntouched(ea));

        // the first step of training.AdamW from zero moments: the same float operations in the same order
        INDArray param = array(p, n);
        INDArray grad = array(g, n);
        new AdamW(0.9, 0.999, 1e-8, wd).step(Map.of("w", param), Map.of("w", grad), lr);
        INDArray kp = array(p, n);
        k.adamWEma(kp, grad, array(new double[n], n), array(new double[n], n), null, lr, 0.9, 0.999, 1e-8, wd,
                1 - Math.pow(0.9, 1), Math.sqrt(1 - Math.pow(0.999, 1)), 0);
        assertArrayEquals(floats(param), floats(kp), "one step of training.AdamW");
    }
}
