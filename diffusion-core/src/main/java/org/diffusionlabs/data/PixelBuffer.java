package org.diffusionlabs.data;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * u8 pixels read from a stream in 1 MiB chunks, so memory grows with the bytes actually present, never with a
 * (possibly hostile) declared size; then converted to a float32 array {@code k / 255} in native memory.
 */
final class PixelBuffer {
    static final int CHUNK = 1 << 20;
    private static final float[] UNIT = new float[256];

    static {
        for (int k = 0; k < 256; k++) {
            UNIT[k] = (float) (k / 255.0);
        }
    }

    /** {@code (float) (k / 255.0)} for k in 0..255, the one u8 → float map of this package. */
    static float unit(int k) {
        return UNIT[k];
    }

    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    /** Reads up to {@code count} bytes; returns how many were read (fewer only at end of stream). */
    long readFrom(InputStream in, long count) throws IOException {
        while (size < count) {
            int want = (int) Math.min(CHUNK, count - size);
            byte[] chunk = new byte[want];
            int got = in.readNBytes(chunk, 0, want);
            if (got > 0) {
                chunks.add(got == want ? chunk : Arrays.copyOf(chunk, got));
                size += got;
            }
            if (got < want) {
                break;
            }
        }
        return size;
    }

    long size() {
        return size;
    }

    /** The bytes as unsigned ints (for label data, which is small). */
    int[] toInts() {
        int[] out = new int[Math.toIntExact(size)];
        int at = 0;
        for (byte[] c : chunks) {
            for (byte b : c) {
                out[at++] = b & 0xFF;
            }
        }
        return out;
    }

    /** A C-order float32 array of {@code shape} (whose product must equal the size) holding {@code k / 255}. */
    INDArray toUnitFloats(long... shape) {
        long product = 1;
        for (long s : shape) {
            product *= s;
        }
        if (product != size) {
            throw new IllegalStateException("shape product " + product + " != " + size + " bytes read");
        }
        INDArray arr = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        FloatPointer dst = new FloatPointer(arr.data().addressPointer());
        float[] tmp = new float[CHUNK];
        long off = 0;
        for (byte[] c : chunks) {
            for (int i = 0; i < c.length; i++) {
                tmp[i] = UNIT[c[i] & 0xFF];
            }
            dst.position(off).put(tmp, 0, c.length);
            off += c.length;
        }
        return arr;
    }
}
