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
import static org.diffusionlabs.testing.Approx.assertClose;

/**
 * The channels-last GroupNorm forward of both implementations against their NCHW forward (itself checked against
 * float64 in {@link KernelsGroupNormTest}) on the permuted input: outputs and statistics. Widths of 32 and 64
 * (the vector path) and 12 (the permuting default), FiLM and SiLU on and off, inputs far from zero mean.
 */
class KernelsGroupNormNhwcTest {
    record Case(int b, int c, int g, int h, int w, boolean film, boolean silu, double mean) {}

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                new Case(2, 32, 32, 8, 8, true, true, 0.3),
                new Case(3, 64, 32, 5, 7, false, true, 20),
                new Case(2, 64, 8, 9, 9, true, false, -2),
                new Case(2, 12, 4, 3, 5, true, true, 1));
        List<Arguments> out = new ArrayList<>();
        KernelsFixture.implementations().forEach(k -> cases.forEach(c -> out.add(Arguments.of(k, c))));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void channelsLastMatchesNchw(Kernels kernels, Case k) {
        Random rnd = new Random(k.hashCode());
        int n = k.b() * k.c() * k.h() * k.w();
        INDArray x = array(normal(rnd, n, k.mean(), 1.7), k.b(), k.c(), k.h(), k.w());
        INDArray gamma = array(normal(rnd, k.c(), 1, 0.3), k.c());
        INDArray beta = array(normal(rnd, k.c(), 0, 0.3), k.c());
        INDArray scale = k.film() ? array(normal(rnd, k.b() * k.c(), 0, 0.4), k.b(), k.c()) : null;
        INDArray shift = k.film() ? array(normal(rnd, k.b() * k.c(), 0, 0.4), k.b(), k.c()) : null;
        INDArray y = x.ulike();
        INDArray stats = array(new double[k.b() * k.g() * 2], k.b(), k.g(), 2);
        kernels.groupNormForward(x, gamma, beta, scale, shift, k.g(), 1e-5, k.silu(), y, stats);

        INDArray xh = x.permute(0, 2, 3, 1).dup('c');
        INDArray yh = xh.ulike();
        INDArray statsH = stats.ulike();
        kernels.groupNormForwardNhwc(xh, gamma, beta, scale, shift, k.g(), 1e-5, k.silu(), yh, statsH);
        assertClose(y, yh.permute(0, 3, 1, 2).dup('c'), 1e-5, 1e-5, "y");
        assertClose(stats, statsH, 1e-5, 1e-5, "stats");
    }
}
