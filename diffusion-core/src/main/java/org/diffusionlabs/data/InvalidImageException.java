package org.diffusionlabs.data;

import java.io.IOException;
import java.nio.file.Path;

/** An image file that cannot be used (undecodable, corrupt, wrong size); the message names the file and why. */
public final class InvalidImageException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public InvalidImageException(Path file, String why, Throwable cause) {
        super(file + ": " + why, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
