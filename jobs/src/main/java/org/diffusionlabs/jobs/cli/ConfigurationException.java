package org.diffusionlabs.jobs.cli;

/**
 * A configuration the user gave that cannot be used: the {@code --config} file (unreadable, malformed HOCON, an
 * unknown key), a {@code --set} override, or a value read from them (wrong type, out of range). It is the user's
 * input, like a usage mistake, so it is reported as one stderr line with exit code {@link Command#USAGE}, before any
 * work starts. It stays an {@link IllegalArgumentException} for library callers.
 */
public final class ConfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code e} as a configuration error (itself when it already is one). */
    public static ConfigurationException of(IllegalArgumentException e) {
        return e instanceof ConfigurationException c ? c : new ConfigurationException(e.getMessage(), e);
    }
}
