package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.Command;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Usage errors: exit code 2, nothing on stdout, a stderr message naming what was wrong, no stack trace. */
class CliUsageErrorTest {

    static Stream<Arguments> mistakes() {
        return Stream.of(
                arguments("unknown beta", new String[] {"schedule", "--beta", "exponential", "--steps", "10"},
                        new String[] {"--beta", "exponential", "linear, cosine, quadratic, sigmoid"}),
                arguments("steps 0", new String[] {"schedule", "--beta", "linear", "--steps", "0"},
                        new String[] {"--steps", "0"}),
                arguments("steps -5", new String[] {"schedule", "--beta", "linear", "--steps", "-5"},
                        new String[] {"--steps", "-5"}),
                arguments("steps abc", new String[] {"schedule", "--beta", "linear", "--steps", "abc"},
                        new String[] {"--steps", "abc"}),
                arguments("steps 1.5", new String[] {"schedule", "--beta", "linear", "--steps=1.5"},
                        new String[] {"--steps", "1.5"}),
                arguments("steps too few for linear", new String[] {"schedule", "--beta", "linear", "--steps", "10"},
                        new String[] {"--steps", "10", "linear"}),
                arguments("respace 1", new String[] {"schedule", "--beta", "linear", "--steps", "100", "--respace", "1"},
                        new String[] {"--respace", "1"}),
                arguments("respace > steps", new String[] {"schedule", "--beta", "cosine", "--steps", "50", "--respace", "51"},
                        new String[] {"--respace", "51", "50"}),
                arguments("respace abc", new String[] {"schedule", "--beta", "cosine", "--steps", "50", "--respace", "x"},
                        new String[] {"--respace", "x"}),
                arguments("unknown option", new String[] {"schedule", "--beta", "linear", "--steps", "100", "--stpes", "3"},
                        new String[] {"--stpes", "--beta KIND", "--steps N", "--respace K", "--json", "--help"}),
                arguments("missing value", new String[] {"schedule", "--beta", "linear", "--steps"},
                        new String[] {"--steps", "needs a value"}),
                arguments("missing value before option", new String[] {"schedule", "--beta", "--steps", "100"},
                        new String[] {"--beta", "needs a value"}),
                arguments("missing required", new String[] {"schedule", "--beta", "linear"},
                        new String[] {"missing", "--steps"}),
                arguments("flag with value", new String[] {"schedule", "--beta", "linear", "--steps", "100", "--json=yes"},
                        new String[] {"--json", "takes no value"}),
                arguments("positional", new String[] {"schedule", "linear"},
                        new String[] {"'linear'"}),
                arguments("repeated", new String[] {"schedule", "--steps", "100", "--steps", "200"},
                        new String[] {"--steps", "more than once"}),
                arguments("unknown command", new String[] {"trian", "--steps", "3"},
                        new String[] {"'trian'", "schedule"}),
                arguments("bench grad-accum not dividing the batch", new String[] {"bench", "--config", "tiny", "--batch",
                        "8", "--grad-accum", "3"}, new String[] {"--grad-accum", "3", "--batch", "8"}),
                arguments("bench grad-accum not a multiple of threads", new String[] {"bench", "--config", "tiny",
                        "--batch", "8", "--threads", "2", "--grad-accum", "1"}, new String[] {"--grad-accum", "1", "--threads"}),
                arguments("no command", new String[] {},
                        new String[] {"Usage: diffusion", "schedule"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void rejectedWithExitCode2(String what, String[] args, String[] mentioned) {
        Cli.Result r = Cli.run(args);
        assertEquals(Command.USAGE, r.code(), r::toString);
        assertEquals("", r.out(), "stdout must stay empty");
        for (String m : mentioned) {
            assertTrue(r.err().contains(m), () -> "stderr should mention '" + m + "':\n" + r.err());
        }
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
    }
}
