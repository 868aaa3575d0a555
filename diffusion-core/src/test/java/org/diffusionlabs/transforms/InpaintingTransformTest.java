package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port of tests/diffusion_labs/test_inpainting_transform.py (reference-tests.md). setUp: torch.manual_seed(1),
 * batch = randn(4,3,256,256), image = batch[0]; every mask test reseeds (set_seed(1)) before drawing.
 */
class InpaintingTransformTest {
    private Rng setUpRng;
    private INDArray batchImages;
    private INDArray image;

    @BeforeEach
    void setUp() {
        setUpRng = new Rng(1);
        batchImages = setUpRng.randn(4, 3, 256, 256);
        image = batchImages.slice(0);
    }

    @Test
    void randomInpaintMaskImage() {
        INDArray mask = InpaintingMasks.randomInpaintMask(image, new Rng(1));
        assertArrayEquals(new long[] {1, 256, 256}, mask.shape());
        assertEquals(DataType.FLOAT, mask.dataType());
        assertEquals(11524.0, mask.sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void randomOutpaintMaskImage() {
        INDArray mask = InpaintingMasks.randomOutpaintMask(image, new Rng(1));
        assertArrayEquals(new long[] {1, 256, 256}, mask.shape());
        assertEquals(27392.0, mask.sumNumber().doubleValue(), 1e-4);
        // side 1 (top), size 107: rows 0..106 set.
        assertEquals(256.0, mask.slice(0).getRow(106).sumNumber().doubleValue(), 0);
        assertEquals(0.0, mask.slice(0).getRow(107).sumNumber().doubleValue(), 0);
    }

    @Test
    void brushStrokeMaskImage() {
        INDArray mask = InpaintingMasks.brushStrokeMask(image, new NumpyRandomState(1));
        assertArrayEquals(new long[] {1, 256, 256}, mask.shape());
        assertEquals(DataType.FLOAT, mask.dataType());
        assertEquals(26860.0, mask.sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void maskFullImage() {
        INDArray mask = InpaintingMasks.maskFullImage(image);
        assertArrayEquals(new long[] {1, 256, 256}, mask.shape());
        assertEquals(Nd4j.ones(DataType.FLOAT, 1, 256, 256), mask);
        assertEquals(65536.0, mask.sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void generateVertexes() {
        int[][] vertexes = InpaintingMasks.generateVertexes(3, 256, 256, new NumpyRandomState(1));
        assertEquals(4, vertexes.length);
        for (int[] v : vertexes) {
            assertEquals(2, v.length);
            assertTrue(v[0] >= 0 && v[0] < 256 && v[1] >= 0 && v[1] < 256, "vertex in range");
        }
    }

    @Test
    void drawStrokes() {
        BinaryCanvas canvas = new BinaryCanvas(256, 256);
        InpaintingMasks.drawStrokes(canvas, new int[][] {{10, 10}, {20, 20}, {30, 30}}, 2);
        assertTrue(canvas.get(10, 10) && canvas.get(20, 20) && canvas.get(30, 30));
        assertTrue(!canvas.get(100, 100));
    }

    @Test
    void generateVertexesAndDrawStrokes() {
        BinaryCanvas canvas = new BinaryCanvas(256, 256);
        int[][] vertexes = InpaintingMasks.generateVertexes(3, 256, 256, new NumpyRandomState(1));
        InpaintingMasks.drawStrokes(canvas, vertexes, 2);
        for (int[] v : vertexes) {
            assertTrue(canvas.get(Math.min(v[0], 255), Math.min(v[1], 255)) || v[0] == 256 || v[1] == 256);
        }
        assertTrue(canvas.count() > 0);
    }

    @Test
    void randomMask() {
        Batch out = new RandomInpaintingMask().apply(Batch.of("x", batchImages), setUpRng);
        INDArray mask = out.get("mask");
        assertArrayEquals(new long[] {4, 1, 256, 256}, mask.shape());
        assertEquals(DataType.FLOAT, mask.dataType());
        double ones = mask.sumNumber().doubleValue();
        double squares = mask.mul(mask).sumNumber().doubleValue();
        assertEquals(ones, squares, 0, "every value is 0 or 1");
        assertTrue(mask.minNumber().doubleValue() >= 0 && mask.maxNumber().doubleValue() <= 1);
    }

    @Test
    void randomMaskCoversEveryKindAndIsReproducible() {
        RandomInpaintingMask t = new RandomInpaintingMask(0.25, false, "x", "m");
        INDArray small = Nd4j.zeros(DataType.FLOAT, 1, 64, 64);
        Rng rng = new Rng(5);
        boolean sawZeros = false;
        boolean sawPartial = false;
        for (int i = 0; i < 40; i++) {
            INDArray m = t.apply(Batch.of("x", small), rng).get("m");
            assertArrayEquals(new long[] {1, 64, 64}, m.shape());
            double s = m.sumNumber().doubleValue();
            sawZeros |= s == 0;
            sawPartial |= s > 0 && s < 64 * 64;
        }
        assertTrue(sawZeros && sawPartial);
        assertEquals(t.apply(Batch.of("x", small), new Rng(9)).get("m"), t.apply(Batch.of("x", small), new Rng(9)).get("m"));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new RandomInpaintingMask(1.5, true, "x", "mask"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomInpaintingMask().apply(Batch.of("x", image), new Rng(1)));
        assertTrue(e.getMessage().contains("x.shape"));
        e = assertThrows(IllegalArgumentException.class, () -> InpaintingMasks.maskFullImage(batchImages));
        assertTrue(e.getMessage().contains("image.shape"));
    }
}
