package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ports of {@code test_dalle2.py::test_dalle2_image_transform} and {@code test_common_util.py::test_cascaded_resize}
 * (reference-tests.md), plus the exact pixels Pillow 9.4 gives for four non-constant images
 * ({@code pil-dalle2.bin}, written by {@code pil_dalle2_golden.py} beside it): BOX halvings, bicubic down- and
 * up-sizing, and centre crops whose offset rounds half to even.
 */
class Dalle2ImageTransformTest {
    /** (channels, width, height, imageSize) as in the generator's CASES. */
    private static final int[][] CASES = {{3, 37, 23, 4}, {3, 6, 9, 8}, {1, 40, 40, 5}, {3, 50, 31, 7}};

    private static INDArray pattern(int channels, int w, int h) {
        INDArray x = Nd4j.create(DataType.INT, channels, h, w);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int col = 0; col < w; col++) {
                    x.putScalar(new long[] {c, y, col}, (col * col * 31 + y * 17 + c * 101 + col * y * 7 + 5) % 256);
                }
            }
        }
        return x;
    }

    @Test
    void dalle2ImageTransform() {
        // Pillow RGB 20×20 of colour (128, 0, 0); sum == (128/255·2 − 1)·25 + 2·(−1)·25, atol 1e-4
        INDArray img = Nd4j.zeros(DataType.INT, 3, 20, 20);
        img.get(NDArrayIndex.point(0)).assign(128);
        Batch out = new Dalle2ImageTransform(5, -1, 1, "x").apply(Batch.of("x", img), new Rng(0));
        INDArray x = out.get("x");
        assertArrayEquals(new long[] {3, 5, 5}, x.shape());
        assertEquals(DataType.FLOAT, x.dataType());
        assertEquals(-49.90196078, x.castTo(DataType.DOUBLE).sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void cascadedResize() {
        // Pillow RGBA 15×20 (width × height): BOX 7×10, BOX 3×5, BICUBIC scale 1 → 3×5; the size sums to 8
        PillowImage im = CascadedResize.apply(new PillowImage(4, 20, 15, new int[4 * 20 * 15]), 3);
        assertEquals(8, im.width() + im.height());
        assertEquals(3, im.width());
    }

    @Test
    void pixelsArePillows() throws IOException {
        byte[] golden;
        try (InputStream in = getClass().getResourceAsStream("pil-dalle2.bin")) {
            golden = in.readAllBytes();
        }
        int at = 0;
        for (int[] c : CASES) {
            int size = c[3];
            Batch in = Batch.of("img", pattern(c[0], c[1], c[2]));
            INDArray x = new Dalle2ImageTransform(size, 0, 1, "img").apply(in, null).get("img");
            assertArrayEquals(new long[] {c[0], size, size}, x.shape());
            float[] got = x.data().asFloat();
            for (int i = 0; i < got.length; i++, at++) {
                assertEquals((golden[at] & 0xFF) / 255f, got[i], 0f, "case " + Arrays.toString(c) + " value " + i);
            }
        }
        assertEquals(golden.length, at);
    }

    @Test
    void unitFloatsAndBatchesGiveTheSameAsEightBitImages() {
        INDArray codes = pattern(3, 37, 23);
        Dalle2ImageTransform t = new Dalle2ImageTransform(4, -1, 1, "x");
        INDArray one = t.apply(Batch.of("x", codes), null).get("x");
        INDArray unit = codes.castTo(DataType.FLOAT).divi(255);
        assertEquals(one, t.apply(Batch.of("x", unit), null).get("x"));
        INDArray batch = t.apply(Batch.of("x", Nd4j.stack(0, unit, unit)), null).get("x");
        assertArrayEquals(new long[] {2, 3, 4, 4}, batch.shape());
        assertEquals(one, batch.get(NDArrayIndex.point(1)));
    }

    @Test
    void otherFieldsPassThrough() {
        INDArray t = Nd4j.createFromArray(3L);
        Batch out = new Dalle2ImageTransform(4, -1, 1, "x").apply(Batch.of("x", pattern(1, 8, 8)).with("t", t), null);
        assertTrue(out.get("t") == t);
    }

    @Test
    void aMissingFieldIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dalle2ImageTransform().apply(Batch.of("image", pattern(3, 8, 8)), null));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void valuesOffTheEightBitRangeAreRejectedNamingThem() {
        INDArray bad = Nd4j.zeros(DataType.FLOAT, 1, 4, 4);
        bad.putScalar(new long[] {0, 1, 2}, 1.5f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dalle2ImageTransform(2, -1, 1, "x").apply(Batch.of("x", bad), null));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        INDArray big = Nd4j.zeros(DataType.INT, 1, 4, 4).addi(256);
        assertThrows(IllegalArgumentException.class,
                () -> new Dalle2ImageTransform(2, -1, 1, "x").apply(Batch.of("x", big), null));
    }

    @Test
    void shapesAndChannelsOutsideLAndRgbAreRejected() {
        Dalle2ImageTransform t = new Dalle2ImageTransform(2, -1, 1, "x");
        INDArray flat = Nd4j.zeros(DataType.INT, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> t.apply(Batch.of("x", flat), null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.apply(Batch.of("x", Nd4j.zeros(DataType.INT, 4, 4, 4)), null));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dalle2ImageTransform(0, -1, 1, "x"));
    }
}
