package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.jobs.cli.Main;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help} prints usage to stdout and exits 0, for the launcher and for each command. */
class HelpTest {

    @Test
    void mainHelpListsEveryCommandWithItsSummary() {
        for (String flag : new String[] {"--help", "-h", "help"}) {
            Cli.Result r = Cli.run(flag);
            assertEquals(0, r.code(), r::toString);
            assertEquals("", r.err());
            assertTrue(r.out().startsWith("Usage: diffusion <command> [options]"), r.out());
            for (Command c : Main.commands()) {
                assertTrue(java.util.regex.Pattern.compile("(?m)^  " + java.util.regex.Pattern.quote(c.name()) + " +"
                        + java.util.regex.Pattern.quote(c.summary()) + "$").matcher(r.out()).find(), r.out());
            }
        }
    }

    @Test
    void scheduleHelpShowsEveryOption() {
        Cli.Result r = Cli.run("schedule", "--help");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Usage: diffusion schedule --beta KIND --steps N [--respace K] [--json]"), r.out());
        for (String option : new String[] {"--beta KIND", "--steps N", "--respace K", "--json", "--help"}) {
            assertTrue(r.out().contains("  " + option), () -> option + " missing in\n" + r.out());
        }
    }

    @Test
    void helpWinsOverOtherMistakes() {
        Cli.Result r = Cli.run("schedule", "--bogus", "--help");
        assertEquals(0, r.code(), r::toString);
        assertEquals(new ScheduleCommand().usage(), r.out());
    }

    @Test
    void helpCommandShowsACommandsUsage() {
        Cli.Result r = Cli.run("help", "schedule");
        assertEquals(0, r.code(), r::toString);
        assertEquals(new ScheduleCommand().usage(), r.out());
    }
}
