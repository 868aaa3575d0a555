package org.diffusionlabs.jobs.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One sub-command of {@code bin/diffusion}. Commands write machine output to {@code out}, messages to
 * {@code err}, and report success or failure through the returned exit code instead of throwing, so they can be
 * run in-process by tests.
 */
public interface Command {
    /** Exit code of a successful run. */
    int OK = 0;
    /** Exit code of a runtime failure (bad data, I/O, numerical trouble). */
    int FAILURE = 1;
    /** Exit code of a usage error (unknown option, missing or malformed value). */
    int USAGE = 2;

    /** The word that selects this command on the command line. */
    String name();

    /** A one-line summary for the command list of {@code bin/diffusion --help}. */
    String summary();

    /** The full help text printed by {@code --help}, ending with a newline. */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command name
     * @return {@link #OK}, {@link #FAILURE} or {@link #USAGE}
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
