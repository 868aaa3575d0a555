package org.diffusionlabs.io;

import java.io.IOException;

/** A checkpoint directory that cannot be trusted: no manifest (an interrupted save), a missing file, a size or checksum mismatch, or a malformed file. */
public final class CorruptCheckpointException extends IOException {
    private final String directory;

    public CorruptCheckpointException(String directory, String message) {
        super(directory + ": " + message);
        this.directory = directory;
    }

    public CorruptCheckpointException(String directory, String message, Throwable cause) {
        super(directory + ": " + message, cause);
        this.directory = directory;
    }

    /** The checkpoint directory (e.g. {@code step-1000}). */
    public String directory() {
        return directory;
    }
}
