package org.diffusionlabs.jobs.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of commands driven by {@code --options}: handles {@code --help}, parsing and the mapping of errors to exit
 * codes and one-line stderr messages, so each command only declares its options and does its work. The mapping is
 * the table of docs/reliability.md: {@link UsageException} and {@link ConfigurationException} exit
 * {@link Command#USAGE} (2), every other failure {@link Command#FAILURE} (1).
 */
public abstract class OptionCommand implements Command {
    /** Set {@code -Ddiffusion.debug=true} to get stack traces of runtime failures. */
    private static final boolean DEBUG = Boolean.getBoolean("diffusion.debug");

    /** The declared options, without {@code --help}. */
    protected abstract List<Option> options();

    /** The option part of the synopsis, e.g. {@code "--steps N [--json]"}. */
    protected abstract String synopsis();

    /** A paragraph under the synopsis (may be empty). */
    protected abstract String description();

    /** Does the work with parsed options; throws {@link UsageException} for invalid values. */
    protected abstract int execute(Args args, PrintStream out, PrintStream err) throws UsageException;

    @Override
    public String usage() {
        List<Option> all = allOptions();
        int width = all.stream().mapToInt(o -> o.display().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: diffusion ").append(name()).append(' ').append(synopsis()).append('\n');
        sb.append('\n').append(summary()).append('\n');
        if (!description().isEmpty()) {
            sb.append('\n').append(description().strip()).append('\n');
        }
        sb.append("\nOptions:\n");
        for (Option o : all) {
            sb.append("  ").append(String.format("%-" + width + "s", o.display())).append("  ").append(o.help()).append('\n');
        }
        return sb.toString();
    }

    /** Runs the command; everything it writes to {@code err} is redacted ({@link RedactedStderr}). */
    @Override
    public final int run(List<String> argv, PrintStream out, PrintStream stderr) {
        PrintStream err = RedactedStderr.over(stderr);
        try {
            return runRedacted(argv, out, err);
        } finally {
            err.flush();
        }
    }

    private int runRedacted(List<String> argv, PrintStream out, PrintStream err) {
        if (Args.wantsHelp(argv)) {
            out.print(usage());
            out.flush();
            return OK;
        }
        try {
            int code = execute(Args.parse(argv, allOptions()), out, err);
            out.flush();
            return code;
        } catch (UsageException e) {
            err.println("diffusion " + name() + ": " + e.getMessage());
            err.println("Run 'diffusion " + name() + " --help' for usage.");
            return USAGE;
        } catch (ConfigurationException e) {
            err.println("diffusion " + name() + ": configuration error: " + e.getMessage());
            return USAGE;
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println("diffusion " + name() + ": error: " + describe(e));
            if (DEBUG) {
                e.printStackTrace(err);
            }
            return FAILURE;
        }
    }

    private List<Option> allOptions() {
        List<Option> all = new ArrayList<>(options());
        all.add(Args.HELP);
        return all;
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        if (e instanceof OutOfMemoryError) {
            // JavaCPP's off-heap cap (maxphysicalbytes) and the Java heap fail with the same error type
            boolean offHeap = msg != null && (msg.contains("physical") || msg.contains("Cannot allocate"));
            return "out of memory" + (msg == null || msg.isBlank() ? "" : " (" + msg.strip() + ")")
                    + (offHeap ? ": native arrays exceed the off-heap cap; raise DIFFUSION_MAX_PHYSICAL_BYTES (default 16G)"
                            + " if the machine has the memory, or lower the batch"
                            : ": raise -Xmx through JAVA_OPTS, or lower the batch");
        }
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
    }
}
