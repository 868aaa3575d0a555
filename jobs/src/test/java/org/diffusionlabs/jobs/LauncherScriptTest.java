package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/diffusion stays in sync with the build: the same Java 17 JVM flags as {@code <spark.jvm.opens>}. */
class LauncherScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void launcherPassesExactlyTheJvmFlagsOfThePom() throws IOException {
        Matcher m = Pattern.compile("<spark\\.jvm\\.opens>([^<]*)</spark\\.jvm\\.opens>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no <spark.jvm.opens>");
        List<String> expected = Arrays.asList(m.group(1).trim().split("\\s+"));
        String script = Files.readString(ROOT.resolve("bin/diffusion"));
        Matcher array = Pattern.compile("(?s)\\nopens=\\((.*?)\\n\\)").matcher(script);
        assertTrue(array.find(), "bin/diffusion has no opens=( ... ) array");
        List<String> actual = Arrays.stream(array.group(1).trim().split("\\s+")).collect(Collectors.toList());
        assertEquals(expected, actual);
    }

    @Test
    void launcherIsExecutableAndRunsMain() throws IOException {
        Path script = ROOT.resolve("bin/diffusion");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        assertTrue(Files.readString(script).contains("org.diffusionlabs.jobs.Main \"$@\""));
    }
}
