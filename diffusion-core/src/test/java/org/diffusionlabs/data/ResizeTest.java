package org.diffusionlabs.data;

import org.diffusionlabs.nd.Interpolation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResizeTest {

    private static INDArray image(int h, int w, float... values) {
        return Nd4j.create(values, new long[] {1, 1, h, w}, 'c');
    }

    private static float[] flat(INDArray x) {
        return x.dup('c').data().asFloat();
    }

    @Test
    void upsamplingIsBilinearWithHalfPixelCentres() {
        // 1-D, 2 → 4: centres 0.25, 0.75, 1.25, 1.75 → weights [1], [.75 .25], [.25 .75], [1] (edges renormalised).
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, flat(Resize.bilinear(image(1, 2, 0, 1), 1, 4)), 1e-7f);
        // 2-D [[0, 1], [1, 0]] → 4×4: out[1][1] = .75·(.75·0 + .25·1) + .25·(.75·1 + .25·0) = .375.
        float[] y = flat(Resize.bilinear(image(2, 2, 0, 1, 1, 0), 4));
        assertEquals(0f, y[0], 1e-7f);
        assertEquals(0.25f, y[1], 1e-7f);
        assertEquals(0.375f, y[5], 1e-7f);
        assertEquals(0.625f, y[6], 1e-7f);
        assertEquals(1f, y[3], 1e-7f);
    }

    @Test
    void downsamplingWidensTheTriangle() {
        // 4 → 2: scale 2, support 2; out 0 = (3·x0 + 3·x1 + x2)/7, out 1 = (x1 + 3·x2 + 3·x3)/7.
        float[] y = flat(Resize.bilinear(image(1, 4, 0, 7, 14, 21), 1, 2));
        assertArrayEquals(new float[] {5f, 16f}, y, 1e-5f);
    }

    @Test
    void uint8ModeReproducesPillowsRoundingAfterEachPass() {
        // Horizontal: 255·.25 = 63.75 → 64, 255·.75 = 191.25 → 191 (fixed point, + 2^21, >> 22).
        assertArrayEquals(new float[] {0f, 64 / 255f, 191 / 255f, 1f},
                flat(Resize.bilinearUint8(image(1, 2, 0, 1), 1, 4)), 1e-7f);
        // [[0, 255], [255, 0]] → rows [0 64 191 255], [255 191 64 0]; out[1][1] = round(.75·64 + .25·191) =
        // round(95.75) = 96, where the float path gives 255·.375 = 95.625.
        float[] y = flat(Resize.bilinearUint8(image(2, 2, 0, 1, 1, 0), 4));
        assertEquals(96, Math.round(y[5] * 255));
        assertEquals(64, Math.round(y[1] * 255));
        assertEquals(159, Math.round(y[6] * 255)); // .75·191 + .25·64 = 159.25 → 159
    }

    @Test
    void uint8ModeEqualsPillowByteForByte() throws IOException {
        byte[] golden; // written by data/mnist/pil_resize_golden.py with Pillow 9.4.0
        try (InputStream in = ResizeTest.class.getResourceAsStream("pil-bilinear.bin")) {
            golden = in.readAllBytes();
        }
        assertEquals(3 * 1024 + 63 + 20 + 143, golden.length);
        INDArray mnist = MnistEmbedded.load().subset(new int[] {0, 1234, 9999}).images();
        assertArrayEquals(Arrays.copyOfRange(golden, 0, 3072), bytes(Resize.bilinearUint8(mnist, 32)));
        float[] small = new float[63];
        for (int i = 0; i < 63; i++) {
            small[i] = (golden[3072 + i] & 0xFF) / 255f;
        }
        INDArray x = image(9, 7, small);
        assertArrayEquals(Arrays.copyOfRange(golden, 3135, 3155), bytes(Resize.bilinearUint8(x, 4, 5)));
        assertArrayEquals(Arrays.copyOfRange(golden, 3155, 3298), bytes(Resize.bilinearUint8(x, 13, 11)));
    }

    private static byte[] bytes(INDArray x) {
        float[] f = flat(x);
        byte[] out = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (byte) Math.round(f[i] * 255);
        }
        return out;
    }

    @Test
    void floatPathMatchesTorchAntialiasBilinearOnMnist() {
        INDArray x = MnistEmbedded.load().subset(new int[] {0, 1234, 9999}).images();
        INDArray ours = Resize.bilinear(x, 32);
        INDArray torchLike = Interpolation.resize(x, 32, Interpolation.Mode.BILINEAR, true);
        assertArrayEquals(new long[] {3, 1, 32, 32}, ours.shape());
        assertTrue(ours.sub(torchLike).amaxNumber().doubleValue() < 1e-5);
        // The exact 8-bit Pillow path differs from the float one by at most one grey level (two roundings).
        double gap = Resize.bilinearUint8(x, 32).sub(ours).amaxNumber().doubleValue();
        assertTrue(gap <= 1.0 / 255 + 1e-6, "gap " + gap);
        INDArray signed = Normalize.toSigned(x); // MNIST pixels span exactly [0, 1]
        assertEquals(-1.0, signed.minNumber().doubleValue(), 1e-6);
        assertEquals(1.0, signed.maxNumber().doubleValue(), 1e-6);
        assertTrue(Normalize.toUnit(signed).equalsWithEps(x, 1e-6));
        assertEquals(2 * ours.getDouble(1, 0, 10, 10) - 1, Normalize.toSigned(ours).getDouble(1, 0, 10, 10), 1e-6);
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Resize.bilinear(Nd4j.zeros(DataType.FLOAT, 2, 2), 4));
        assertTrue(e.getMessage().contains("x.shape"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resize.bilinear(image(1, 1, 0), 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> Resize.bilinear(Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 2), 3));
    }
}
