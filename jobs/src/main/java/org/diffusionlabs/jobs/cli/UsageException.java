package org.diffusionlabs.jobs.cli;

/**
 * A mistake in the command line (unknown option, missing or malformed value). Reported as one message on stderr
 * with exit code {@link Command#USAGE}, never with a stack trace.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
