package org.diffusionlabs.jobs.cli;

/**
 * A command that ended with a non-zero exit code inside a JVM whose live SparkContext belongs to someone else (a
 * Databricks JAR task, a notebook, {@code spark-shell}): there {@link Main#main} must not call {@link System#exit},
 * so it throws this instead and the platform marks the run failed. The command has already written its message to
 * stderr; this only carries the code.
 */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public JobFailedException(int exitCode, String command) {
        super("diffusion " + command + " failed with exit code " + exitCode + " (see its message on stderr)");
        this.exitCode = exitCode;
    }

    /** The exit code the command returned (1 failure, 2 usage error). */
    public int exitCode() {
        return exitCode;
    }
}
