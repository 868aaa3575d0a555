package org.diffusionlabs.jobs.cli;

import org.diffusionlabs.jobs.BenchCommand;
import org.diffusionlabs.jobs.EvalCommand;
import org.diffusionlabs.jobs.ForwardCommand;
import org.diffusionlabs.jobs.SampleCommand;
import org.diffusionlabs.jobs.ScheduleCommand;
import org.diffusionlabs.jobs.TrainClassifierCommand;
import org.diffusionlabs.jobs.TrainCommand;
import org.diffusionlabs.jobs.TrainVaeCommand;
import org.diffusionlabs.nd.SameDiffChatter;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Entry point of {@code bin/diffusion <command> [options]}, of {@code spark-submit}'s application jar and of
 * Databricks JAR tasks: picks the command by name and returns its exit code. {@link #run} does everything in-process
 * (for tests); {@link #main} wires the real streams and ends through {@link JobExit}, which never calls
 * {@link System#exit} while a SparkContext is live.
 */
public final class Main {
    private static final List<Command> COMMANDS = List.of(new TrainCommand(), new TrainVaeCommand(), new SampleCommand(), new EvalCommand(), new TrainClassifierCommand(), new ScheduleCommand(), new ForwardCommand(), new BenchCommand());

    private Main() {}

    /**
     * Runs the command; exits the JVM with its code unless a SparkContext is still live (then returns on success and
     * throws {@link JobFailedException} otherwise).
     */
    public static void main(String[] args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        try {
            // Everything on stderr (messages, library prints, log lines) is redacted: no credentials of URIs or keys.
            System.setErr(RedactedStderr.over(stderr));
            // Only commands write to stdout: stray prints of libraries (native init banners etc.) go to stderr, minus
            // SameDiff's per-op lines (the library already keeps its own gradient builds quiet; this catches the rest).
            System.setOut(SameDiffChatter.filter(System.err));
            code = run(args, stdout, System.err);
            stdout.flush();
            System.err.flush();
        } finally {
            // a JVM that outlives this call (a Databricks JAR task, a notebook) gets its own streams back
            System.setOut(stdout);
            System.setErr(stderr);
        }
        JobExit.end(code, args.length == 0 ? "" : args[0], System::exit);
    }

    /** Runs {@code args} (command name first) and returns the exit code; never calls {@link System#exit}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return Command.USAGE;
        }
        String name = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (name.equals("--help") || name.equals("-h")) {
            out.print(usage());
            return Command.OK;
        }
        if (name.equals("help")) {
            return help(rest, out, err);
        }
        Optional<Command> command = find(name);
        if (command.isEmpty()) {
            err.println("diffusion: unknown command '" + name + "'");
            err.print(commandList());
            return Command.USAGE;
        }
        return command.get().run(rest, out, err);
    }

    /** The registered commands, in the order of the help text. */
    public static List<Command> commands() {
        return COMMANDS;
    }

    /** The top-level help text. */
    public static String usage() {
        return "Usage: diffusion <command> [options]\n\n" + commandList()
                + "\nRun 'diffusion <command> --help' for the options of a command.\n";
    }

    private static int help(List<String> rest, PrintStream out, PrintStream err) {
        if (rest.isEmpty()) {
            out.print(usage());
            return Command.OK;
        }
        Optional<Command> command = find(rest.get(0));
        if (command.isEmpty()) {
            err.println("diffusion help: unknown command '" + rest.get(0) + "'");
            err.print(commandList());
            return Command.USAGE;
        }
        out.print(command.get().usage());
        return Command.OK;
    }

    private static Optional<Command> find(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static String commandList() {
        int width = COMMANDS.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        StringBuilder sb = new StringBuilder("Commands:\n");
        for (Command c : COMMANDS) {
            sb.append("  ").append(String.format("%-" + width + "s", c.name())).append("  ").append(c.summary()).append('\n');
        }
        return sb.toString();
    }
}
