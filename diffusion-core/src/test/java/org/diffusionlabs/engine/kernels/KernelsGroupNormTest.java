package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.diffusionlabs.engine.kernels.KernelsFixture.array;
import static org.diffusionlabs.engine.kernels.KernelsFixture.normal;
import static org.diffusionlabs.engine.kernels.KernelsFixture.values;
import static org.diffusionlabs.engine.kernels.KernelsFixture.view;
import static org.diffusionlabs.testing.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both implementations' GroupNorm forward and backward against the float64 reference on small random shapes:
 * C/G of 1 to 3, H·W odd, below and above the vector width, FiLM with and without shift, SiLU on and off,
 * inputs far from zero mean, and every array as a view at an offset inside a larger buffer.
 */
class KernelsGroupNormTest {
    private static final double EPS = 1e-5;

    /** One shape and option set. */
    record Case(int b, int c, int g, int h, int w, boolean scale, boolean shift, boolean silu, double mean,
                boolean views) {
        @Override
        public String toString() {
            return "[" + b + "," + c + "," + h + "," + w + "]/G" + g + (scale ? " scale" : "") + (shift ? "+shift" : "")
                    + (silu ? " silu" : "") + " mean " + mean + (views ? " views" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                new Case(2, 4, 2, 3, 5, true, true, true, 0.3, false),
                new Case(3, 6, 3, 7, 7, false, false, true, -1, true),
                new Case(2, 8, 4, 16, 16, true, false, false, 0, false),
                new Case(1, 3, 1, 5, 9, true, true, false, 2, true),
                new Case(2, 12, 4, 9, 11, true, true, true, 20, true),
                new Case(2, 64, 32, 17, 19, true, true, true, 0.5, false));
        List<Arguments> out = new ArrayList<>();
        KernelsFixture.implementations().forEach(k -> cases.forEach(c -> out.add(Arguments.of(k, c))));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forwardAndBackwardMatchTheFloat64Reference(Kernels kernels, Case k) {
        Random rnd = new Random(k.hashCode());
        int hw = k.h() * k.w();
        int n = k.b() * k.c() * hw;
        double[] x = normal(rnd, n, k.mean(), 1.7);
        double[] gamma = normal(rnd, k.c(), 1, 0.3);
        double[] beta = normal(rnd, k.c(), 0, 0.3);
        double[] scale = k.scale() ? normal(rnd, k.b() * k.c(), 0, 0.4) : null;
        double[] shift = k.shift() ? normal(rnd, k.b() * k.c(), 0, 0.4) : null;
        double[] dy = normal(rnd, n, 0, 1);
        long[] shape = {k.b(), k.c(), k.h(), k.w()};
        long[] bc = {k.b(), k.c()};
        Call a = k.views()
                ? new Call(view(x, 3, shape), view(gamma, 1, k.c()), view(beta, 2, k.c()),
                        scale == null ? null : view(scale, 5, bc), shift == null ? null : view(shift, 7, bc),
                        view(null, 9, shape), view(null, 4, k.b(), k.g(), 2), view(dy, 6, shape), view(null, 8, shape),
                        view(null, 1, k.c()), view(null, 3, k.c()), scale == null ? null : view(null, 2, bc),
                        shift == null ? null : view(null, 5, bc))
                : new Call(array(x, shape), array(gamma, k.c()), array(beta, k.c()), array(scale, bc),
                        array(shift, bc), array(new double[n], shape), array(new double[k.b() * k.g() * 2], k.b(), k.g(), 2),
                        array(dy, shape), array(new double[n], shape), array(new double[k.c()], k.c()),
                        array(new double[k.c()], k.c()), scale == null ? null : array(new double[k.b() * k.c()], bc),
                        shift == null ? null : array(new double[k.b() * k.c()], bc));
        a.dGamma.assign(0.25);
        a.dBeta.assign(-0.5);

        kernels.groupNormForward(a.x, a.gamma, a.beta, a.scale, a.shift, k.g(), EPS, k.silu(), a.y, a.stats);
        kernels.groupNormBackward(a.x, a.gamma, a.beta, a.scale, a.shift, k.g(), k.silu(), a.stats, a.dy, a.dx,
                a.dGamma, a.dBeta, a.dScale, a.dShift);

        GroupNormReference ref = new GroupNormReference(k.b(), k.c(), k.g(), hw);
        GroupNormReference.Forward f = ref.forward(x, gamma, beta, scale, shift, EPS, k.silu());
        GroupNormReference.Backward r = ref.backward(x, gamma, beta, scale, shift, EPS, k.silu(), dy);
        double[] stats = values(a.stats);
        double[] mean = new double[f.mean().length];
        double[] rstd = new double[f.rstd().length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = stats[2 * i];
            rstd[i] = stats[2 * i + 1];
        }
        String what = kernels.getClass().getSimpleName() + " " + k + " ";
        assertClose(f.mean(), mean, 1e-6, 1e-6, what + "mean");
        assertClose(f.rstd(), rstd, 1e-6, 0, what + "rstd");
        double tol = 2e-6 * (1 + Math.abs(k.mean()));
        assertClose(f.y(), values(a.y), tol, tol, what + "y");
        assertClose(r.dx(), values(a.dx), 1e-5, 1e-5 * maxAbs(r.dx()), what + "dx");
        assertClose(plus(r.dGamma(), 0.25), values(a.dGamma), 1e-5, 1e-5 * maxAbs(r.dGamma()), what + "dGamma");
        assertClose(plus(r.dBeta(), -0.5), values(a.dBeta), 1e-5, 1e-5 * maxAbs(r.dBeta()), what + "dBeta");
        if (scale != null) {
            assertClose(r.dScale(), values(a.dScale), 1e-5, 1e-5 * maxAbs(r.dScale()), what + "dScale");
        }
        if (shift != null) {
            assertClose(r.dShift(), values(a.dShift), 1e-5, 1e-5 * maxAbs(r.dShift()), what + "dShift");
        }
        if (k.views()) {
            for (INDArray out : new INDArray[] {a.y, a.stats, a.dx, a.dGamma, a.dBeta, a.dScale, a.dShift}) {
                assertTrue(out == null || KernelsFixture.outsideUntouched(out), what + "wrote outside a view");
            }
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    private static double[] plus(double[] v, double add) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += add;
        }
        return out;
    }

    /** The arrays of one forward + backward call. */
    private record Call(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, INDArray y,
                           INDArray stats, INDArray dy, INDArray dx, INDArray dGamma, INDArray dBeta,
                           INDArray dScale, INDArray dShift) {}
}
