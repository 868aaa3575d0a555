package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Interpolation;
import org.diffusionlabs.nd.Interpolation.Mode;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.diffusionlabs.testing.Approx.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Port of tests/diffusion_labs/test_super_resolution_transform.py plus value checks (spec §7.3). */
class SuperResolutionTransformTest {

    @Test
    void superresTransformShape() {
        // Reference: uninitialised (2,3,32,32) input; any finite input will do.
        INDArray x = new Rng(1).randn(2, 3, 32, 32);
        Batch out = new SuperResolutionTransform(32, 16).apply(Batch.of("x", x), new Rng(1));
        assertArrayEquals(new long[] {2, 3, 32, 32}, out.get("low_res").shape());
        assertEquals(DataType.FLOAT, out.get("low_res").dataType());
        assertSame(x, out.get("x"));
    }

    @Test
    void lowResIsDownThenUpWithTheSameKernel() {
        INDArray x = new Rng(2).randn(2, 3, 32, 32);
        INDArray got = new SuperResolutionTransform(32, 16).apply(Batch.of("x", x), new Rng(0)).get("low_res");
        INDArray expected = Interpolation.resize(Interpolation.resize(x, 16, Mode.BICUBIC, true), 32, Mode.BICUBIC, true);
        assertClose(expected, got, 0, 0, "low_res");
    }

    @Test
    void constantImageStaysConstant() {
        INDArray x = Nd4j.valueArrayOf(new long[] {1, 2, 32, 32}, 0.375f);
        INDArray got = new SuperResolutionTransform(32, 8).apply(Batch.of("x", x), new Rng(0)).get("low_res");
        assertClose(x, got, 0, 1e-6, "constant");
    }

    @Test
    void clampOnlyWhenABoundIsTruthyAndAugmentationRunsOnTheLowRes() {
        INDArray x = new Rng(4).randn(1, 1, 8, 8).muli(3);
        INDArray[] seen = new INDArray[1];
        SuperResolutionTransform clamped = new SuperResolutionTransform(8, 4, "x", "lr", -1.0, 1.0, true, Mode.BICUBIC,
                d -> {
                    seen[0] = d;
                    return d;
                });
        INDArray got = clamped.apply(Batch.of("x", x), new Rng(0)).get("lr");
        assertArrayEquals(new long[] {1, 1, 4, 4}, seen[0].shape());
        assertTrue(seen[0].maxNumber().doubleValue() <= 1.0 && seen[0].minNumber().doubleValue() >= -1.0);
        assertTrue(got.maxNumber().doubleValue() <= 1.0 && got.minNumber().doubleValue() >= -1.0);
        // Reference quirk: min_val=0, max_val=None is falsy → no clamping at all.
        SuperResolutionTransform falsy = new SuperResolutionTransform(8, 4, "x", "lr", 0.0, null, true, Mode.BICUBIC, null);
        assertFalse(falsy.clamps());
        INDArray unclamped = falsy.apply(Batch.of("x", x), new Rng(0)).get("lr");
        assertTrue(unclamped.minNumber().doubleValue() < 0);
        // One truthy bound clamps both given bounds.
        assertTrue(new SuperResolutionTransform(8, 4, "x", "lr", 0.0, 1.0, true, Mode.BICUBIC, null).clamps());
    }

    @Test
    void nearestModeWithoutAntialias() {
        INDArray x = Nd4j.arange(16).castTo(DataType.FLOAT).reshape(1, 1, 4, 4);
        INDArray got = new SuperResolutionTransform(4, 2, "x", "low_res", null, null, false, Mode.NEAREST, null)
                .apply(Batch.of("x", x), new Rng(0)).get("low_res");
        assertClose(new double[] {0, 0, 2, 2, 0, 0, 2, 2, 8, 8, 10, 10, 8, 8, 10, 10},
                got.dup('c').data().asDouble(), 0, 0, "nearest");
    }

    @Test
    void validation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SuperResolutionTransform(0, 16));
        assertTrue(e.getMessage().contains("size"));
        e = assertThrows(IllegalArgumentException.class, () -> new SuperResolutionTransform(32, -1));
        assertTrue(e.getMessage().contains("lowResSize"));
        e = assertThrows(IllegalArgumentException.class, () -> new SuperResolutionTransform(32, 16)
                .apply(Batch.of("x", Nd4j.ones(DataType.FLOAT, 3, 32, 32)), new Rng(0)));
        assertTrue(e.getMessage().contains("x.shape"));
        e = assertThrows(IllegalArgumentException.class, () -> new SuperResolutionTransform(32, 16)
                .apply(Batch.of("y", Nd4j.ones(DataType.FLOAT, 1, 3, 32, 32)), new Rng(0)));
        assertTrue(e.getMessage().contains("'x'"));
    }
}
