package org.diffusionlabs.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The exit-code table of docs/reliability.md, one row per case: 0 success; 2 for what the user typed or configured
 * (usage, the {@code --config} file, {@code --set} values, a run directory that would be overwritten, a resume under
 * changed settings); 1 for failures while running (missing or corrupt data, a hostile file, a non-finite loss, no
 * valid checkpoint). Each row also names what stderr must mention, and no row may print a stack trace.
 */
class ExitCodeTableTest {
    @TempDir
    static Path dir;
    /** A finished 2-step tiny run (one checkpoint), for the rows that need an existing run. */
    private static Path run;

    @BeforeAll
    static void aFinishedRun() {
        run = dir.resolve("run");
        Cli.Result r = Cli.run(train(run, "--max-steps", "2"));
        assertEquals(0, r.code(), r::toString);
    }

    /** {@code train --out RUN} with the tiny model's settings, then {@code extra}. */
    private static String[] train(Path out, String... extra) {
        List<String> all = new ArrayList<>(List.of("train", "--out", out.toString()));
        all.addAll(List.of(TinyTrainArgs.tiny().toArray(extra)));
        return all.toArray(String[]::new);
    }

    private static Path write(String name, String text) {
        try {
            return Files.writeString(Files.createDirectories(dir.resolve("files")).resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path idx(String name, int magic, int[] dims, int dataBytes) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(magic);
            for (int x : dims) {
                d.writeInt(x);
            }
            d.write(new byte[dataBytes]);
            return Files.write(Files.createDirectories(dir.resolve("files")).resolve(name), b.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh run location for one row. */
    private static Path fresh(String row) {
        return dir.resolve("rows").resolve(row.replaceAll("[^a-z0-9]+", "-"));
    }

    private static Arguments row(String what, int code, String mention, Function<String, String[]> args) {
        return arguments(what, code, mention, args);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("success", 0, "", w -> new String[] {"schedule", "--beta", "linear", "--steps", "100"}),
                row("no command", 2, "Usage: diffusion", w -> new String[] {}),
                row("unknown command", 2, "'trian'", w -> new String[] {"trian"}),
                row("unknown option", 2, "--stpes", w -> train(fresh(w), "--stpes", "3")),
                row("malformed option value", 2, "--max-steps", w -> train(fresh(w), "--max-steps", "abc")),
                row("missing required option", 2, "--out", w -> new String[] {"train"}),
                row("unknown config key (--set)", 2, "train.bach", w -> train(fresh(w), "--set", "train.bach=4")),
                row("unknown config key (--config)", 2, "train.bach",
                        w -> train(fresh(w), "--config", write("typo.conf", "train { bach = 4 }").toString())),
                row("malformed --config file", 2, "broken.conf",
                        w -> train(fresh(w), "--config", write("broken.conf", "train { batch = ").toString())),
                row("missing --config file", 2, "absent.conf",
                        w -> train(fresh(w), "--config", dir.resolve("absent.conf").toString())),
                row("config value of the wrong type", 2, "train.batch", w -> train(fresh(w), "--set", "train.batch=abc")),
                row("config value out of range", 2, "train.batch", w -> train(fresh(w), "--set", "train.batch=0")),
                row("bad data.held_out_fraction", 2, "data.held_out_fraction",
                        w -> train(fresh(w), "--set", "data.held_out_fraction=1.5")),
                row("bad adm_unet arguments (forward --unet-config)", 2, "colour",
                        w -> new String[] {"forward", "--unet-config", write("unet.json", "{\"colour\": true}").toString(),
                                "--weights", "w", "--inputs", "i", "--output", fresh(w).toString()}),
                row("missing adm_unet file (bench --config)", 2, "absent-unet.json",
                        w -> new String[] {"bench", "--config", dir.resolve("absent-unet.json").toString(), "--batch", "2"}),
                row("--out holds a run", 2, "--overwrite", w -> train(run, "--max-steps", "2")),
                row("resume with changed settings", 2, "data.held_out_fraction",
                        w -> train(run, "--resume", "latest", "--max-steps", "3", "--set", "data.held_out_fraction=0.3")),
                row("missing data (I/O)", 1, "absent-images-idx3-ubyte",
                        w -> train(fresh(w), "--set", "data.source=\"" + dir.resolve("absent-images-idx3-ubyte") + "\"",
                                "--set", "data.labels=\"" + dir.resolve("absent-labels-idx1-ubyte") + "\"")),
                row("corrupt data (truncated IDX)", 1, "short-images-idx3-ubyte",
                        w -> train(fresh(w), "--set", "data.source=\"" + idx("short-images-idx3-ubyte", 0x803,
                                        new int[] {6, 4, 4}, 10) + "\"",
                                "--set", "data.labels=\"" + idx("short-labels-idx1-ubyte", 0x801, new int[] {6}, 6) + "\"")),
                row("hostile data (declared size over the read limit)", 1, "huge-images-idx3-ubyte",
                        w -> train(fresh(w), "--set", "data.source=\"" + idx("huge-images-idx3-ubyte", 0x803,
                                        new int[] {Integer.MAX_VALUE, 4096, 4096}, 16) + "\"",
                                "--set", "data.labels=\"" + idx("huge-labels-idx1-ubyte", 0x801, new int[] {6}, 6) + "\"")),
                row("non-finite loss", 1, "non-finite",
                        w -> train(fresh(w), "--max-steps", "4", "--set", "optimizer.lr=1e30")),
                row("no valid checkpoint to sample", 1, "no valid checkpoint",
                        w -> new String[] {"sample", "--checkpoint", fresh(w).toString(), "--out", fresh(w + "-out").toString()}));
    }

    @ParameterizedTest(name = "{0}: exit {1}")
    @MethodSource("table")
    void exitCode(String what, int code, String mention, Function<String, String[]> args) {
        Cli.Result r = Cli.run(args.apply(what));
        assertEquals(code, r.code(), r::toString);
        assertTrue(r.err().contains(mention) || r.out().contains(mention), () -> "'" + mention + "' not mentioned:\n" + r);
        assertFalse(r.err().contains("\tat "), () -> "a stack trace:\n" + r);
    }
}
