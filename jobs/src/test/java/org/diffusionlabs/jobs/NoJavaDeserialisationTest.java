package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What users give (model directories, checkpoints, run directories, configurations) is read as data: no main code of
 * any module deserialises Java objects ({@code ObjectInputStream}, {@code XMLDecoder}, commons' {@code deserialize})
 * or lets Jackson take class names from a file (default typing, class-based type ids). Spark's own task and
 * broadcast serialisation between driver and executors is not ours and not a file.
 */
class NoJavaDeserialisationTest {
    /** Forbidden in main code, spelt in two parts so that this file does not match itself. */
    static final List<String> FORBIDDEN = List.of("ObjectInput" + "Stream", "XML" + "Decoder",
            "SerializationUtils." + "deserialize", "activateDefault" + "Typing", "enableDefault" + "Typing",
            "JsonTypeInfo.Id." + "CLASS", "JsonTypeInfo.Id." + "MINIMAL_CLASS");

    @Test
    void noMainCodeDeserialisesJavaObjects() throws IOException {
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of(".."))) {
            modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).forEach(roots::add);
        }
        assertEquals(3, roots.size(), "the modules' main sources: " + roots);
        List<String> found = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    String text = Files.readString(f);
                    FORBIDDEN.stream().filter(text::contains).forEach(w -> found.add(f + ": " + w));
                }
            }
        }
        assertTrue(found.isEmpty(), String.join("\n", found));
    }
}
