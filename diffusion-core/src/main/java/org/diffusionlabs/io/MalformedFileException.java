package org.diffusionlabs.io;

import java.io.IOException;

/**
 * A file (or stream) that violates its format, as opposed to an I/O failure: the message starts with the defect's
 * category and names the file or entry and the bad value. Subclasses type the category as their own {@code Reason}
 * enum ({@link MalformedSafetensorsException}, {@code data.MalformedIdxException}).
 */
public abstract class MalformedFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Enum<?> category;

    protected MalformedFileException(Enum<?> category, String message, Throwable cause) {
        super(category + ": " + message, cause);
        this.category = category;
    }

    /** The category of the defect (the subclass's {@code Reason}). */
    public Enum<?> category() {
        return category;
    }
}
