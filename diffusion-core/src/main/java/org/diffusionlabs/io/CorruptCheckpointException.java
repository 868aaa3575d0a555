package org.diffusionlabs.io;

import java.io.IOException;

/**
 * A checkpoint directory that cannot be trusted: no manifest (an interrupted save), an unsafe, missing or required
 * but unlisted file, a size or checksum mismatch, or a malformed file. The message is "directory: reason".
 */
public final class CorruptCheckpointException extends IOException {
    private final String directory;
    private final String reason;

    public CorruptCheckpointException(String directory, String message) {
        this(directory, message, null);
    }

    public CorruptCheckpointException(String directory, String message, Throwable cause) {
        super(directory + ": " + message, cause);
        this.directory = directory;
        this.reason = message;
    }

    /** The checkpoint directory (e.g. {@code step-1000}). */
    public String directory() {
        return directory;
    }

    /** What is wrong with it, without the directory. */
    public String reason() {
        return reason;
    }
}
