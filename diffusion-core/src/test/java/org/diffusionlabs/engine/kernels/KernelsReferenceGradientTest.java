package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float64 GroupNorm reference's analytic backward against central finite differences of its forward, for
 * the loss Σ y·dy, on a tiny shape (C/G = 2, odd H·W) with FiLM and SiLU: the kernels are tested against this
 * backward, so it has to be right.
 */
class KernelsReferenceGradientTest {
    private static final double H = 1e-6;

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        for (boolean silu : new boolean[] {true, false}) {
            for (boolean film : new boolean[] {true, false}) {
                check(silu, film);
            }
        }
    }

    private static void check(boolean silu, boolean film) {
        Random rnd = new Random(11);
        int b = 2;
        int c = 4;
        int g = 2;
        int hw = 5;
        GroupNormReference ref = new GroupNormReference(b, c, g, hw);
        double[] x = KernelsFixture.normal(rnd, b * c * hw, 0.5, 1.5);
        double[] gamma = KernelsFixture.normal(rnd, c, 1, 0.3);
        double[] beta = KernelsFixture.normal(rnd, c, 0, 0.3);
        double[] scale = film ? KernelsFixture.normal(rnd, b * c, 0, 0.5) : null;
        double[] shift = film ? KernelsFixture.normal(rnd, b * c, 0, 0.5) : null;
        double[] dy = KernelsFixture.normal(rnd, b * c * hw, 0, 1);
        double eps = 1e-5;
        GroupNormReference.Backward grads = ref.backward(x, gamma, beta, scale, shift, eps, silu, dy);
        String what = "silu " + silu + " film " + film + ": ";
        compare(what + "dx", grads.dx(), x, v -> ref.forward(v, gamma, beta, scale, shift, eps, silu).y(), dy);
        compare(what + "dGamma", grads.dGamma(), gamma, v -> ref.forward(x, v, beta, scale, shift, eps, silu).y(), dy);
        compare(what + "dBeta", grads.dBeta(), beta, v -> ref.forward(x, gamma, v, scale, shift, eps, silu).y(), dy);
        if (film) {
            compare(what + "dScale", grads.dScale(), scale,
                    v -> ref.forward(x, gamma, beta, v, shift, eps, silu).y(), dy);
            compare(what + "dShift", grads.dShift(), shift,
                    v -> ref.forward(x, gamma, beta, scale, v, eps, silu).y(), dy);
        }
    }

    /** analytic[i] ≈ (L(p + h·e_i) − L(p − h·e_i)) / 2h with L = Σ y·dy. */
    private static void compare(String what, double[] analytic, double[] param, Function<double[], double[]> y,
                                double[] dy) {
        for (int i = 0; i < param.length; i++) {
            double[] plus = param.clone();
            double[] minus = param.clone();
            plus[i] += H;
            minus[i] -= H;
            double numeric = (dot(y.apply(plus), dy) - dot(y.apply(minus), dy)) / (2 * H);
            assertTrue(Math.abs(numeric - analytic[i]) <= 1e-6 * (1 + Math.abs(numeric)),
                    what + "[" + i + "]: analytic " + analytic[i] + " vs finite difference " + numeric);
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
