package org.diffusionlabs.jobs.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The exit-code contract of {@link OptionCommand}: runtime failures give exit 1 and one message, no stack trace. */
class OptionCommandTest {

    /** A command whose work always fails at run time. */
    private static final class Failing extends OptionCommand {
        @Override
        public String name() {
            return "fail";
        }

        @Override
        public String summary() {
            return "always fails";
        }

        @Override
        protected List<Option> options() {
            return List.of(Option.valued("path", "FILE", "an input"));
        }

        @Override
        protected String synopsis() {
            return "--path FILE";
        }

        @Override
        protected String description() {
            return "";
        }

        @Override
        protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
            throw new IllegalStateException("cannot read " + args.required("path"));
        }
    }

    @Test
    void runtimeFailureIsExitOneWithAMessage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Failing().run(List.of("--path", "x.bin"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(Command.FAILURE, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("diffusion fail: error: cannot read x.bin" + System.lineSeparator(), stderr);
        assertFalse(stderr.contains("\tat "));
    }

    @Test
    void usageListsOptionsIncludingHelp() {
        String usage = new Failing().usage();
        assertEquals("Usage: diffusion fail --path FILE\n\nalways fails\n\nOptions:\n"
                + "  --path FILE  an input\n  --help       print this help and exit\n", usage);
    }
}
