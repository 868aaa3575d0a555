package org.diffusionlabs.io;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types this project can read, with their file code, byte width and ND4J type.
 * Kept as one table so the reader, writer and validation agree on sizes.
 */
public enum SafetensorsDtype {
    F64("F64", 8, DataType.DOUBLE),
    F32("F32", 4, DataType.FLOAT),
    F16("F16", 2, DataType.FLOAT16),
    BF16("BF16", 2, DataType.BFLOAT16),
    I64("I64", 8, DataType.INT64),
    I32("I32", 4, DataType.INT32),
    U8("U8", 1, DataType.UINT8);

    private final String code;
    private final int byteSize;
    private final DataType nd4j;

    SafetensorsDtype(String code, int byteSize, DataType nd4j) {
        this.code = code;
        this.byteSize = byteSize;
        this.nd4j = nd4j;
    }

    /** The string used in the header, e.g. {@code "BF16"}. */
    public String code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The ND4J data type arrays of this dtype are read into. */
    public DataType nd4j() {
        return nd4j;
    }

    /** The dtype for a header code, or {@code null} when unknown or unsupported (codes are case-sensitive). */
    public static SafetensorsDtype fromCode(String code) {
        for (SafetensorsDtype d : values()) {
            if (d.code.equals(code)) {
                return d;
            }
        }
        return null;
    }
}
