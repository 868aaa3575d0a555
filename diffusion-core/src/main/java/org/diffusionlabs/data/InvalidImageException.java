package org.diffusionlabs.data;

import java.io.IOException;

/**
 * An image that cannot be used (undecodable, corrupt, too large, wrong channels): the message names the file, the
 * row for images stored in tables (Parquet), and why.
 */
public final class InvalidImageException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final long row;

    /** An unusable image file. */
    public InvalidImageException(String file, String why, Throwable cause) {
        this(file, -1, why, cause);
    }

    /** An unusable image in row {@code row} (0-based) of a table file; {@code row < 0} for a whole file. */
    public InvalidImageException(String file, long row, String why, Throwable cause) {
        super(file + (row >= 0 ? " row " + row : "") + ": " + why, cause);
        this.file = file;
        this.row = row;
    }

    /** The offending file (its full location). */
    public String file() {
        return file;
    }

    /** The 0-based row within {@link #file()}, or −1 when the whole file is the image. */
    public long row() {
        return row;
    }
}
