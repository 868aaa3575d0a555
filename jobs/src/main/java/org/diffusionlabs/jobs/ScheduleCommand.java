package org.diffusionlabs.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.nd.Linspace;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code diffusion schedule}: prints a beta schedule's float64 coefficients, optionally respaced to the strided
 * evaluation steps {@code torch.linspace(0, T-1, K, dtype=int)} the reference's tutorial samples with. The
 * {@code --json} output writes doubles with {@link Double#toString(double)} (shortest round-trip), so it carries the
 * exact values; it is also how the reference-parity tests check the port end to end.
 */
public final class ScheduleCommand extends OptionCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "schedule";
    }

    @Override
    public String summary() {
        return "Print a beta schedule's coefficients (optionally respaced), as a table or JSON.";
    }

    @Override
    protected String synopsis() {
        return "--beta KIND --steps N [--respace K] [--json]";
    }

    @Override
    protected String description() {
        return "With --respace K the coefficients are those of the schedule respaced to the eval steps\n"
                + "linspace(0, N-1, K) truncated to integers (the tutorial uses 250 of 1000), and the JSON also has\n"
                + "\"eval_steps\" and \"eval_steps_map\" (length N: map[eval_steps[k]] = k, 0 elsewhere).\n"
                + "With --json stdout carries exactly one JSON object: \"beta\", \"steps\" and every coefficient\n"
                + "under its reference name, as float64 arrays at full round-trip precision.";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("beta", "KIND", "beta schedule: " + choices()),
                Option.valued("steps", "N", "number of diffusion steps T (>= 2)"),
                Option.valued("respace", "K", "respace to K evenly strided eval steps (2 <= K <= N)"),
                Option.flag("json", "print one JSON object instead of a table"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        BetaScheduleKind kind = parseKind(args.required("beta"));
        int steps = args.requiredInt("steps");
        if (steps < 2) {
            throw new UsageException("option --steps must be >= 2, got " + steps);
        }
        Optional<Integer> respace = args.optionalInt("respace");
        long[] evalSteps = respace.isPresent() ? evalSteps(respace.get(), steps) : null;
        DiscreteGaussianSchedule full = build(kind, steps);
        ScheduleReport report = evalSteps == null ? ScheduleReport.full(kind, full)
                : ScheduleReport.respaced(kind, full, evalSteps);
        if (args.flag("json")) {
            out.println(toJson(report));
        } else {
            ScheduleText.write(report, out);
        }
        return OK;
    }

    /** {@code torch.linspace(0, steps - 1, k, dtype=int)}, rejected unless strictly increasing. */
    static long[] evalSteps(int k, int steps) throws UsageException {
        if (k < 2 || k > steps) {
            throw new UsageException("option --respace must be in [2, " + steps + "] (the --steps), got " + k);
        }
        long[] eval = Linspace.ofInts(0, steps - 1, k);
        for (int i = 1; i < eval.length; i++) {
            if (eval[i] <= eval[i - 1]) {
                throw new UsageException("option --respace " + k + " gives duplicate eval step " + eval[i]
                        + " for --steps " + steps);
            }
        }
        return eval;
    }

    private static BetaScheduleKind parseKind(String name) throws UsageException {
        try {
            return BetaScheduleKind.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --beta: unknown schedule '" + name + "' (choices: " + choices() + ")");
        }
    }

    /** The schedule, with the core's range errors (e.g. betas >= 1 for too few linear steps) as usage errors. */
    private static DiscreteGaussianSchedule build(BetaScheduleKind kind, int steps) throws UsageException {
        try {
            return DiscreteGaussianSchedule.of(kind, steps);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --steps " + steps + " does not give a valid "
                    + kind.name().toLowerCase(Locale.ROOT) + " schedule: " + e.getMessage());
        }
    }

    private static String choices() {
        return Arrays.stream(BetaScheduleKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    private static String toJson(ScheduleReport report) {
        try {
            return JSON.writeValueAsString(report.json());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
