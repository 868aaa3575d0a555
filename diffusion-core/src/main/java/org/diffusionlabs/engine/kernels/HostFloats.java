package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Zero-copy access to a float32 ND4J array in host memory: the native buffer as a direct {@link ByteBuffer} in
 * native byte order, and the byte index of the array's first element in it.
 *
 * <p>Why this way: in ND4J 1.0.0-M2.1 (CPU) {@code data().asNio()} is {@code pointer().asByteBuffer()}, and for
 * a view {@code pointer()} is the pointer of the <em>underlying</em> buffer (position 0, limit = its full
 * length), while the view's start is {@code offset()} elements in. So the element {@code i} of a contiguous view
 * is at byte {@code 4·(offset() + i)}; forgetting the offset silently reads the parent's first elements. The
 * buffer aliases the native memory: writes land in the array.
 */
record HostFloats(ByteBuffer buf, int byteOffset, int length) {
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** The host view of {@code a}, which must already have passed {@link KernelArgs#contiguous}. */
    static HostFloats of(INDArray a, String owner, String name) {
        long n = a.length();
        if (n == 0) {
            return new HostFloats(ByteBuffer.allocateDirect(0).order(ORDER), 0, 0);
        }
        var pointer = a.data().pointer();
        KernelArgs.require(pointer.position() == 0, owner, name, "pointer position " + pointer.position(),
                "must be a buffer whose pointer starts at its base");
        ByteBuffer bb = pointer.asByteBuffer().order(ORDER);
        long first = 4L * a.offset();
        long end = first + 4L * n;
        KernelArgs.require(end <= bb.capacity() && bb.capacity() < Integer.MAX_VALUE, owner, name,
                "offset " + a.offset() + " length " + n + " in a buffer of " + bb.capacity() + " bytes",
                "must lie inside one host buffer of < 2 GiB");
        return new HostFloats(bb, (int) first, (int) n);
    }

    /** Byte index of element {@code i}. */
    int at(int i) {
        return byteOffset + 4 * i;
    }

    float get(int i) {
        return buf.getFloat(byteOffset + 4 * i);
    }

    void put(int i, float v) {
        buf.putFloat(byteOffset + 4 * i, v);
    }
}
