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

/**
 * bin/diffusion and bin/diffusion-submit stay in sync with the build: the same Java 17 JVM flags as
 * {@code <spark.jvm.opens>}.
 */
class LauncherScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void launcherPassesExactlyTheJvmFlagsOfThePom() throws IOException {
        assertEquals(pomFlags(), scriptFlags("bin/diffusion"));
    }

    @Test
    void submitLauncherPassesExactlyTheJvmFlagsOfThePom() throws IOException {
        assertEquals(pomFlags(), scriptFlags("bin/diffusion-submit"));
        Path script = ROOT.resolve("bin/diffusion-submit");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        assertTrue(Files.readString(script).contains("org.apache.spark.deploy.SparkSubmit"));
    }

    private static List<String> pomFlags() throws IOException {
        Matcher m = Pattern.compile("<spark\\.jvm\\.opens>([^<]*)</spark\\.jvm\\.opens>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no <spark.jvm.opens>");
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }

    private static List<String> scriptFlags(String path) throws IOException {
        String script = Files.readString(ROOT.resolve(path));
        Matcher array = Pattern.compile("(?s)\\nopens=\\((.*?)\\n\\)").matcher(script);
        assertTrue(array.find(), path + " has no opens=( ... ) array");
        return Arrays.stream(array.group(1).trim().split("\\s+")).collect(Collectors.toList());
    }

    @Test
    void launcherIsExecutableAndRunsMain() throws IOException {
        Path script = ROOT.resolve("bin/diffusion");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        assertTrue(Files.readString(script).contains("org.diffusionlabs.jobs.cli.Main \"$@\""));
    }
}
