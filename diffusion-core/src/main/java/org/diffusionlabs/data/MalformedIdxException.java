package org.diffusionlabs.data;

import org.diffusionlabs.io.MalformedFileException;

/**
 * An IDX file (or stream) that violates the format or does not match its partner file. The message starts with the
 * {@link Reason} and names the file and the bad value, so a caller can tell a bad file from an I/O failure.
 */
public final class MalformedIdxException extends MalformedFileException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the input. */
    public enum Reason {
        /** The first two bytes are not zero, or the dimension count is not the one expected (3 images, 1 labels). */
        BAD_MAGIC,
        /** The element type byte is not 0x08 (unsigned byte). */
        UNSUPPORTED_TYPE,
        /** A zero dimension, a dimension above the caps, or more elements than {@link IdxReader#MAX_ELEMENTS}. */
        BAD_DIMENSIONS,
        /** The data ends before the declared number of bytes (or the gzip stream ends early). */
        TRUNCATED,
        /** The file is longer than its header declares (trailing bytes). */
        SIZE_MISMATCH,
        /**
         * The header declares more data than {@code ReadLimits.IDX_BYTES} allows (or a gzip stream expands past it):
         * refused before anything is allocated.
         */
        TOO_LARGE,
        /** The label file's count differs from the image file's count. */
        COUNT_MISMATCH,
        /** The data starts like gzip but cannot be decompressed. */
        BAD_GZIP
    }


    public MalformedIdxException(Reason reason, String message) {
        super(reason, message, null);
    }

    public MalformedIdxException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }

    /** The category of the defect. */
    public Reason reason() {
        return (Reason) category();
    }
}
