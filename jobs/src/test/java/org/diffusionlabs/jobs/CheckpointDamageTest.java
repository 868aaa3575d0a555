package org.diffusionlabs.jobs;

import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of a real checkpoint damaged in turn, two ways (one bit flipped near its end; cut to half its length),
 * on a copy of a 4-step tiny run with checkpoints at steps 2 and 4: each time the damaged step-4 is skipped with a
 * warning naming it and "latest" falls back to step 2, then a resume from that copy trains on to step 6.
 */
@Tag("fault")
class CheckpointDamageTest {
    @TempDir
    Path dir;

    private static Cli.Result train(Path run, String... extra) {
        List<String> all = new ArrayList<>(List.of("train", "--out", run.toString()));
        all.addAll(List.of(TinyTrainArgs.tiny().toArray(extra)));
        return Cli.run(all.toArray(String[]::new));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void flip(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[Math.max(0, b.length - 3)] ^= 0x40;
        Files.write(file, b);
    }

    private static void truncate(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length / 2));
    }

    @Test
    void eachDamagedFileFallsBackToThePreviousCheckpoint() throws IOException {
        Path template = dir.resolve("template");
        Cli.Result first = train(template, "--max-steps", "4");
        assertEquals(0, first.code(), first::toString);
        List<String> files;
        try (Stream<Path> s = Files.list(template.resolve("checkpoints/step-4"))) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(files.size() >= 6 && files.contains("manifest.json") && files.contains("model.safetensors"),
                files::toString);
        int cases = 0;
        int fellBack = 0;
        for (String file : files) {
            for (String damage : List.of("flip", "truncate")) {
                Path run = dir.resolve(damage + "-" + file);
                copy(template, run);
                Path target = run.resolve("checkpoints/step-4/" + file);
                if (damage.equals("flip")) {
                    flip(target);
                } else {
                    truncate(target);
                }
                List<String> warnings = new ArrayList<>();
                long latest = new CheckpointStore(new LocalStorage(run.resolve("checkpoints")), 100)
                        .latest(warnings::add).orElseThrow().step();
                String what = damage + " " + file + ": " + warnings;
                assertEquals(2, latest, what);
                assertEquals(1, warnings.size(), what);
                assertTrue(warnings.get(0).contains("step-4"), what);
                cases++;
                fellBack++;
            }
        }
        Path run = dir.resolve("truncate-model.safetensors");
        Cli.Result resumed = train(run, "--resume", "latest", "--max-steps", "6");
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.err().contains("resumed from " + run + "/checkpoints/step-2"), resumed.err());
        FaultFigures.record("checkpoint-files", "corrupt (bit flip) or truncate each checkpoint file ("
                        + String.join(", ", files) + ")", "CheckpointDamageTest.eachDamagedFileFallsBackToThePreviousCheckpoint",
                String.format("%d of %d damaged checkpoints skipped with a warning, latest fell back from step 4 to 2 "
                        + "(2 steps lost each); a resume from one trained on to step 6", fellBack, cases));
    }
}
