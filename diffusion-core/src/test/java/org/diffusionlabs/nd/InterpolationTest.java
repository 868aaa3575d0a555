package org.diffusionlabs.nd;

import org.diffusionlabs.nd.Interpolation.Mode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.diffusionlabs.testing.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device-verified vectors of spec §13 (PyTorch 2.11 on CPU), plus structural properties. */
class InterpolationTest {
    private static final double TOL = 1e-5;

    private static INDArray arange16() {
        return Nd4j.arange(16).castTo(DataType.FLOAT).reshape(1, 1, 4, 4);
    }

    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static double[] row0(INDArray a) {
        return flat(a.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.all()));
    }

    @Test
    void antialiasedBicubicDownsample() {
        INDArray down = Interpolation.resize(arange16(), 2, Mode.BICUBIC, true);
        assertArrayEquals(new long[] {1, 1, 2, 2}, down.shape());
        assertEquals(DataType.FLOAT, down.dataType());
        assertClose(new double[] {2.9338841, 4.7603307, 10.2396698, 12.0661154}, flat(down), 0, TOL, "AA down");
    }

    @Test
    void antialiasedBicubicUpsampleOfTheDownsample() {
        INDArray up = Interpolation.resize(Interpolation.resize(arange16(), 2, Mode.BICUBIC, true), 4, Mode.BICUBIC, true);
        assertClose(new double[] {2.1280987, 2.6675911, 3.7373676, 4.2768593}, row0(up), 0, TOL, "AA up row 0");
    }

    @Test
    void plainBicubicDownsample() {
        INDArray down = Interpolation.resize(arange16(), 2, Mode.BICUBIC, false);
        assertClose(new double[] {2.03125, 4.21875, 10.78125, 12.96875}, flat(down), 0, TOL, "non-AA down");
    }

    @Test
    void antialiasedBicubicUpsampleFourToSix() {
        INDArray up = Interpolation.resize(arange16(), 6, Mode.BICUBIC, true);
        assertArrayEquals(new long[] {1, 1, 6, 6}, up.shape());
        assertClose(new double[] {-0.3289466, 0.1486075, 0.9035094, 1.5701760, 2.3250782, 2.8026326}, row0(up), 0, TOL,
                "AA up row 0");
    }

    @Test
    void plainBicubicUpsampleFourToSix() {
        INDArray up = Interpolation.resize(arange16(), 6, Mode.BICUBIC, false);
        assertClose(new double[] {-0.4340280, 0.0590278, 0.8657407, 1.4398150, 2.2465281, 2.7395840}, row0(up), 0, TOL,
                "non-AA row 0");
    }

    @Test
    void constantsArePreservedByEveryKernel() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 3, 3, 5);
        for (Mode mode : Mode.values()) {
            for (boolean aa : new boolean[] {false, true}) {
                if (mode == Mode.NEAREST && aa) {
                    continue;
                }
                for (int[] size : new int[][] {{6, 6}, {2, 7}, {1, 1}, {9, 3}}) {
                    INDArray out = Interpolation.resize(ones, size[0], size[1], mode, aa);
                    assertArrayEquals(new long[] {2, 3, size[0], size[1]}, out.shape());
                    assertClose(Nd4j.ones(DataType.FLOAT, 2, 3, size[0], size[1]), out, 0, 1e-6, mode + " aa=" + aa);
                }
            }
        }
    }

    @Test
    void nearestMatchesPyTorchIndexing() {
        INDArray x = arange16();
        INDArray up = Interpolation.resize(x, 8, Mode.NEAREST, false);
        assertEquals(x.getDouble(0, 0, 1, 2), up.getDouble(0, 0, 3, 5), 0); // [3//2][5//2]
        INDArray down = Interpolation.resize(x, 3, Mode.NEAREST, false);
        // floor(i·4/3) = 0, 1, 2
        assertClose(new double[] {0, 1, 2, 4, 5, 6, 8, 9, 10}, flat(down), 0, 0, "nearest 4→3");
    }

    @Test
    void bilinearMatchesPyTorch() {
        // torch.nn.functional.interpolate(arange(16)…, size=(2,2), mode="bilinear", align_corners=False)
        // = [[2.5, 4.5], [10.5, 12.5]] (source index 2i + 0.5, average of two taps per axis).
        INDArray down = Interpolation.resize(arange16(), 2, Mode.BILINEAR, false);
        assertClose(new double[] {2.5, 4.5, 10.5, 12.5}, flat(down), 0, 1e-6, "bilinear down");
    }

    @Test
    void channelsAndBatchesAreIndependentAndDoubleIsKept() {
        INDArray x = new Rng(3).randn(2, 3, 5, 7).castTo(DataType.DOUBLE);
        INDArray all = Interpolation.resize(x, 4, 9, Mode.BICUBIC, true);
        assertEquals(DataType.DOUBLE, all.dataType());
        INDArray one = Interpolation.resize(x.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(2, 3),
                NDArrayIndex.all(), NDArrayIndex.all()), 4, 9, Mode.BICUBIC, true);
        assertClose(one, all.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(2, 3), NDArrayIndex.all(),
                NDArrayIndex.all()), 0, 1e-12, "slice");
        assertTrue(x.equalsWithEps(x.dup(), 0));
    }

    @Test
    void invalidArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interpolation.resize(Nd4j.ones(DataType.FLOAT, 4, 4), 2, Mode.BICUBIC, true));
        assertTrue(e.getMessage().contains("x.shape"));
        e = assertThrows(IllegalArgumentException.class, () -> Interpolation.resize(arange16(), 0, Mode.BICUBIC, true));
        assertTrue(e.getMessage().contains("outH"));
        e = assertThrows(IllegalArgumentException.class, () -> Interpolation.resize(arange16(), 2, Mode.NEAREST, true));
        assertTrue(e.getMessage().contains("antialias"));
        assertEquals(Mode.BICUBIC, Mode.parse("bicubic"));
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("area"));
    }
}
