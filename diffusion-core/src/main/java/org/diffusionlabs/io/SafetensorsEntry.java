package org.diffusionlabs.io;

import java.util.Arrays;

/**
 * One tensor's header record: name, dtype, shape and its byte range relative to the start of the data
 * section. Validated on construction by the reader, so {@code end - begin == elements * dtype size}.
 */
public record SafetensorsEntry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    public SafetensorsEntry {
        shape = shape.clone();
    }

    /** A defensive copy of the shape (empty for a scalar). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar, 0 when any dimension is 0). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size of the tensor's data in bytes. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && name.equals(e.name) && dtype == e.dtype
                && Arrays.equals(shape, e.shape) && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(begin);
    }

    @Override
    public String toString() {
        return name + "{" + dtype.code() + ", shape=" + Arrays.toString(shape) + ", data_offsets=[" + begin
                + ", " + end + "]}";
    }
}
