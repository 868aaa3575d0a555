package org.diffusionlabs.io;

import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Chunk-sized direct {@link ByteBuffer} windows over an INDArray's native buffer (the chunked form of
 * {@code arr.data().asNio()}, which also works for buffers over 2 GiB), plus the byte swapping a
 * big-endian host would need to convert between the file's little-endian layout and native order.
 */
final class NativeWindows {
    static final boolean NATIVE_IS_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private NativeWindows() {}

    /**
     * A little-endian direct buffer over bytes {@code [offset, offset + length)} of the array's buffer.
     * The array must be freshly allocated or C-contiguous with a zero buffer offset.
     */
    static ByteBuffer window(INDArray arr, long offset, int length) {
        BytePointer base = new BytePointer(arr.data().addressPointer());
        BytePointer at = base.getPointer(BytePointer.class, offset);
        return at.position(0).limit(length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reverses the bytes of each {@code elementSize}-byte element in {@code buf[0, length)}. */
    static void swapBytes(byte[] buf, int length, int elementSize) {
        for (int i = 0; i + elementSize <= length; i += elementSize) {
            for (int a = i, b = i + elementSize - 1; a < b; a++, b--) {
                byte t = buf[a];
                buf[a] = buf[b];
                buf[b] = t;
            }
        }
    }

    /** Reverses the bytes of each element in the buffer's [0, limit) range (absolute indices). */
    static void swapBytes(ByteBuffer buf, int elementSize) {
        for (int i = 0; i + elementSize <= buf.limit(); i += elementSize) {
            for (int a = i, b = i + elementSize - 1; a < b; a++, b--) {
                byte t = buf.get(a);
                buf.put(a, buf.get(b));
                buf.put(b, t);
            }
        }
    }
}
