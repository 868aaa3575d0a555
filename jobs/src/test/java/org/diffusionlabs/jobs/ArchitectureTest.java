package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The structure of {@code jobs}, checked on the source text: a sub-command ({@code FooCommand}) is named only by
 * {@code cli.Main}, which dispatches to it, so commands depend on helpers and never on other commands (nor do helpers
 * reach into a command); and the {@code data} package depends on nothing of {@code jobs} but {@code cli}.
 */
class ArchitectureTest {
    private static final Path ROOT = Path.of("src/main/java/org/diffusionlabs/jobs");
    /** A concrete command's name; the abstractions of the {@code cli} package are not commands. */
    private static final Pattern COMMAND = Pattern.compile("\\b(?!OptionCommand\\b)([A-Z]\\w*Command)\\b");
    /** Comments and string literals, which may name a command without depending on it. */
    private static final Pattern NOT_CODE = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|/\\*[\\s\\S]*?\\*/|//[^\\n]*");
    private static final Pattern JOBS_IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?org\\.diffusionlabs\\.jobs\\.(\\w+)",
            Pattern.MULTILINE);

    @Test
    void onlyMainNamesACommand() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources(ROOT)) {
            if (!f.equals(ROOT.resolve("cli/Main.java"))) {
                violations.addAll(commandReferences(self(f), Files.readString(f)));
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    @Test
    void dataDependsOnlyOnCli() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources(ROOT.resolve("data"))) {
            Matcher m = JOBS_IMPORT.matcher(Files.readString(f));
            while (m.find()) {
                if (!m.group(1).equals("data") && !m.group(1).equals("cli")) {
                    violations.add(self(f) + " imports " + m.group(0).substring(m.group(0).lastIndexOf(' ') + 1));
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    @Test
    void theCheckCatchesACommandCallingAnother() {
        assertEquals(1, commandReferences("TrainingSamples", "x = SampleCommand.generate(model);").size());
        assertEquals(1, commandReferences("EvalCommand", "String s = TrainCommand.json(m);").size());
        assertTrue(commandReferences("EvalCommand", "class EvalCommand extends OptionCommand { /** {@link TrainCommand} */ "
                + "String s = \"see SampleCommand\"; }").isEmpty());
    }

    private static List<String> commandReferences(String self, String source) {
        List<String> out = new ArrayList<>();
        Matcher m = COMMAND.matcher(NOT_CODE.matcher(source).replaceAll(" "));
        while (m.find()) {
            if (!m.group(1).equals(self)) {
                out.add(self + " references " + m.group(1));
            }
        }
        return out.stream().distinct().toList();
    }

    private static String self(Path f) {
        return f.getFileName().toString().replace(".java", "");
    }

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
