package org.diffusionlabs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency rules of DESIGN.md §6.3, checked on the source imports: diffusion-core never touches Spark or the
 * other modules, and each concept package depends only on the packages listed for it.
 */
class ArchitectureTest {
    private static final String BASE = "org.diffusionlabs.";
    /** Spark's root package, spelled in parts so that a plain text search for it finds only real imports. */
    private static final String SPARK = String.join(".", "org", "apache", "spark");
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("nd", Set.of()),
            Map.entry("engine", Set.of("nd")),
            Map.entry("schedules", Set.of("nd")),
            Map.entry("predictors", Set.of("schedules", "nd")),
            Map.entry("models", Set.of("engine", "nd")),
            Map.entry("adapters", Set.of("models", "nd")),
            Map.entry("samplers", Set.of("models", "predictors", "schedules", "nd")),
            Map.entry("transforms", Set.of("schedules", "nd")),
            Map.entry("losses", Set.of("models", "predictors", "schedules", "nd")),
            Map.entry("io", Set.of("nd")),
            Map.entry("data", Set.of("io", "nd")),
            Map.entry("training", Set.of("engine", "models", "adapters", "transforms", "losses", "schedules", "predictors", "samplers", "io", "data", "nd")),
            Map.entry("metrics", Set.of("training", "data", "io", "nd")),
            // composition roots: anything in core; no core package depends on recipes (only spark and jobs do)
            Map.entry("recipes", Set.of("engine", "models", "adapters", "samplers", "transforms", "losses", "schedules", "predictors",
                    "io", "data", "training", "metrics", "nd")));
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void corePackagesFollowTheDependencyTable() throws IOException {
        List<String> violations = new ArrayList<>();
        Path root = Path.of("src/main/java/org/diffusionlabs");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                String top = pkg.contains(".") ? pkg.substring(0, pkg.indexOf('.')) : pkg;
                violations.addAll(violations(f.toString(), top, Files.readString(f)));
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    @Test
    void theCheckCatchesForbiddenImports() {
        assertTrue(violations("X", "transforms", "import org.diffusionlabs.samplers.DdpmSampler;").size() == 1);
        assertTrue(violations("X", "nd", "import " + SPARK + ".sql.Dataset;").size() == 1);
        assertTrue(violations("X", "samplers", "import org.diffusionlabs.models.Conditioning;").isEmpty());
    }

    private static List<String> violations(String file, String top, String source) {
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            String imp = m.group(1);
            if (imp.startsWith(SPARK) || imp.startsWith("scala.")) {
                out.add(file + " imports Spark: " + imp);
            } else if (imp.startsWith(BASE)) {
                String target = imp.substring(BASE.length()).split("\\.")[0];
                Set<String> allowed = ALLOWED.get(top);
                if (!target.equals(top) && (allowed == null || !allowed.contains(target))) {
                    out.add(file + " (" + top + ") may not import " + imp);
                }
            }
        }
        return out;
    }
}
