package org.diffusionlabs.io;


/**
 * A safetensors file (or stream) that violates the format. Thrown for every structural problem so that
 * callers can tell a bad file from an I/O failure and react to the specific {@link Reason}; the message
 * names the offending tensor (when one is involved) and the bad value.
 */
public final class MalformedSafetensorsException extends MalformedFileException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the file. */
    public enum Reason {
        /** Fewer than 8 bytes, or the 8-byte header length exceeds the file or {@code ReadLimits} (100 MiB). */
        HEADER_LENGTH,
        /** The header is not valid UTF-8 / syntactically valid JSON, or exceeds nesting/number limits. */
        HEADER_JSON,
        /** Valid JSON of the wrong shape: not an object, missing or mistyped fields, non-string metadata. */
        HEADER_SCHEMA,
        /** The same tensor name (or the same key inside one entry) appears twice. */
        DUPLICATE_NAME,
        /** A dtype this reader does not know or does not support. */
        UNSUPPORTED_DTYPE,
        /** A negative or too large dimension, too many dimensions, or an element count that overflows. */
        BAD_SHAPE,
        /** A negative offset, end before begin, or an end beyond the data section. */
        OFFSETS_OUT_OF_RANGE,
        /** Tensors sorted by offset do not tile the data section exactly (overlap, gap, trailing bytes). */
        OFFSETS_OVERLAP_OR_GAP,
        /** {@code end - begin} differs from {@code product(shape) * dtype size}. */
        SIZE_MISMATCH,
        /** The stream ended before the declared number of bytes was read. */
        TRUNCATED,
        /** The header lists more tensors than {@code ReadLimits.SAFETENSORS_TENSORS} allows (100,000 by default). */
        TOO_MANY_TENSORS
    }


    public MalformedSafetensorsException(Reason reason, String message) {
        super(reason, message, null);
    }

    public MalformedSafetensorsException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }

    /** The category of the defect. */
    public Reason reason() {
        return (Reason) category();
    }
}
