package org.diffusionlabs.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistEmbeddedTest {

    @Test
    void loadsTheTenThousandDigitsWithTheConvertedValues() {
        LabeledImages m = MnistEmbedded.load();
        assertEquals(10_000, m.size());
        assertArrayEquals(new long[] {10_000, 1, 28, 28}, m.images().shape());
        assertEquals(DataType.FLOAT, m.images().dataType());
        // Counts per digit as printed by data/mnist/convert.py.
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, m.countsPerLabel());
        float[] px = m.images().data().asFloat();
        long sum = 0;
        for (float v : px) {
            long k = Math.round(v * 255.0);
            assertEquals(k / 255.0, v, 1e-7);
            sum += k;
        }
        assertEquals(262_146_600L, sum); // sum of all u8 pixels of the payload
        // First image (a 0): the npm values 0.2, 0.624, 0.992 at pixels 127..129 = 51, 159, 253 / 255.
        assertEquals(51 / 255.0, px[127], 1e-7);
        assertEquals(159 / 255.0, px[128], 1e-7);
        assertEquals(253 / 255.0, px[129], 1e-7);
        assertEquals(0.0, px[126], 0.0);
        long last = 0;
        for (int i = px.length - 784; i < px.length; i++) {
            last += Math.round(px[i] * 255.0);
        }
        assertEquals(19_255L, last);
        assertEquals(9, m.label(9_999));
    }

    @Test
    void malformedResourcesFailNamingTheProblem() throws IOException {
        byte[] good = file("DLMNIST1", 2, 28, 28, 2, 2 * 784, 0);
        assertEquals(2, MnistEmbedded.decode(new ByteArrayInputStream(good), "good").size());
        assertMessage(file("DLMNIST2", 2, 28, 28, 2, 2 * 784, 0), "magic DLMNIST2");
        assertMessage(file("DLMNIST1", 2, 32, 28, 2, 2 * 784, 0), "32x28 is not 28x28");
        assertMessage(file("DLMNIST1", 0, 28, 28, 0, 0, 0), "image count 0");
        assertMessage(file("DLMNIST1", -1, 28, 28, 0, 0, 0), "image count 4294967295");
        assertMessage(file("DLMNIST1", 2, 28, 28, 1, 0, 0), "1 of 2 labels");
        assertMessage(file("DLMNIST1", 2, 28, 28, 2, 784, 0), "784 of 1568 pixel bytes");
        assertMessage(file("DLMNIST1", 2, 28, 28, 2, 2 * 784, 5), "trailing bytes");
        assertMessage("plain bytes".getBytes(), "not a gzip stream");
        assertMessage(Arrays.copyOf(good, good.length - 20), "truncated");
        assertMessage(gzip(concat(raw("DLMNIST1", 1, 28, 28), new byte[] {12}, new byte[784])), "label 12 of image 0");
    }

    private static void assertMessage(byte[] gz, String part) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MnistEmbedded.decode(new ByteArrayInputStream(gz), "test.bin.gz"));
        assertTrue(e.getMessage().contains("test.bin.gz") && e.getMessage().contains(part), e.getMessage());
    }

    private static byte[] file(String magic, int n, int rows, int cols, int labels, int pixels, int extra)
            throws IOException {
        return gzip(concat(raw(magic, n, rows, cols), new byte[labels], new byte[pixels], new byte[extra]));
    }

    private static byte[] raw(String magic, int n, int rows, int cols) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeBytes(magic);
        d.writeInt(n);
        d.writeInt(rows);
        d.writeInt(cols);
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(data);
        }
        return b.toByteArray();
    }
}
