package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static org.diffusionlabs.engine.kernels.KernelsFixture.array;
import static org.diffusionlabs.engine.kernels.KernelsFixture.floats;
import static org.diffusionlabs.engine.kernels.KernelsFixture.normal;
import static org.diffusionlabs.engine.kernels.KernelsFixture.values;
import static org.diffusionlabs.testing.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Vector and composed kernels agree on a U-Net-sized GroupNorm (within 1e-5), the vector kernels give the same
 * bits on a second run, both give the same dx when it aliases dy, and both keep a 102,400-element group's
 * statistics within 1e-6 of float64 when |mean| ≫ std.
 */
class KernelsAgreementTest {
    private final Kernels vector = new VectorKernels();
    private final Kernels composed = new ComposedKernels();

    @Test
    void vectorAndComposedAgreeAndVectorIsDeterministic() {
        Random rnd = new Random(5);
        long[] shape = {4, 64, 16, 16};
        int n = 4 * 64 * 256;
        INDArray x = array(normal(rnd, n, 0.2, 1.3), shape);
        INDArray gamma = array(normal(rnd, 64, 1, 0.2), 64);
        INDArray beta = array(normal(rnd, 64, 0, 0.2), 64);
        INDArray scale = array(normal(rnd, 256, 0, 0.3), 4, 64);
        INDArray shift = array(normal(rnd, 256, 0, 0.3), 4, 64);
        INDArray dy = array(normal(rnd, n, 0, 1), shape);
        Outputs v1 = run(vector, x, gamma, beta, scale, shift, dy);
        Outputs v2 = run(vector, x, gamma, beta, scale, shift, dy);
        Outputs c = run(composed, x, gamma, beta, scale, shift, dy);
        INDArray[] a = v1.all();
        INDArray[] b = v2.all();
        INDArray[] r = c.all();
        String[] names = {"y", "stats", "dx", "dGamma", "dBeta", "dScale", "dShift"};
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(floats(a[i]), floats(b[i]), "vector " + names[i] + " differs between two runs");
            double[] ref = values(r[i]);
            assertClose(ref, values(a[i]), 1e-5, 1e-5 * maxAbs(ref), "vector vs composed " + names[i]);
        }
    }

    @Test
    void backwardMayWriteDxIntoDy() {
        Random rnd = new Random(6);
        long[] shape = {2, 8, 5, 7};
        int n = 2 * 8 * 35;
        INDArray x = array(normal(rnd, n, 0, 1), shape);
        INDArray gamma = array(normal(rnd, 8, 1, 0.2), 8);
        INDArray beta = array(normal(rnd, 8, 0, 0.2), 8);
        double[] dy = normal(rnd, n, 0, 1);
        for (Kernels k : new Kernels[] {vector, composed}) {
            for (boolean silu : new boolean[] {true, false}) {
                INDArray stats = array(new double[2 * 4 * 2], 2, 4, 2);
                k.groupNormForward(x, gamma, beta, null, null, 4, 1e-5, silu, x.ulike(), stats);
                INDArray dx = x.ulike();
                k.groupNormBackward(x, gamma, beta, null, null, 4, silu, stats, array(dy, shape), dx,
                        array(new double[8], 8), array(new double[8], 8), null, null);
                INDArray inPlace = array(dy, shape);
                k.groupNormBackward(x, gamma, beta, null, null, 4, silu, stats, inPlace, inPlace,
                        array(new double[8], 8), array(new double[8], 8), null, null);
                assertArrayEquals(floats(dx), floats(inPlace), k.getClass().getSimpleName() + " silu " + silu);
            }
        }
    }

    @Test
    void largeGroupStatisticsMatchFloat64() {
        Random rnd = new Random(8);
        int hw = 160 * 160;
        double[] x = normal(rnd, 4 * hw, 100, 1);
        GroupNormReference.Forward f = new GroupNormReference(1, 4, 1, hw)
                .forward(x, new double[] {1, 1, 1, 1}, new double[4], null, null, 1e-5, false);
        for (Kernels k : new Kernels[] {vector, composed}) {
            INDArray stats = array(new double[2], 1, 1, 2);
            k.groupNormForward(array(x, 1, 4, 160, 160), array(new double[] {1, 1, 1, 1}, 4), array(new double[4], 4),
                    null, null, 1, 1e-5, false, array(new double[4 * hw], 1, 4, 160, 160), stats);
            double[] s = values(stats);
            String what = k.getClass().getSimpleName() + " ";
            assertClose(f.mean(), new double[] {s[0]}, 1e-6, 0, what + "mean");
            assertClose(f.rstd(), new double[] {s[1]}, 1e-6, 0, what + "rstd");
        }
    }

    private static Outputs run(Kernels k, INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift,
                               INDArray dy) {
        Outputs o = new Outputs(x.ulike(), array(new double[4 * 32 * 2], 4, 32, 2), x.ulike(), gamma.ulike().assign(0),
                beta.ulike().assign(0), scale.ulike(), shift.ulike());
        k.groupNormForward(x, gamma, beta, scale, shift, 32, 1e-5, true, o.y, o.stats);
        k.groupNormBackward(x, gamma, beta, scale, shift, 32, true, o.stats, dy, o.dx, o.dGamma, o.dBeta, o.dScale,
                o.dShift);
        return o;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    private record Outputs(INDArray y, INDArray stats, INDArray dx, INDArray dGamma, INDArray dBeta, INDArray dScale,
                           INDArray dShift) {
        INDArray[] all() {
            return new INDArray[] {y, stats, dx, dGamma, dBeta, dScale, dShift};
        }
    }
}
