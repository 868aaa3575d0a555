package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The settings a resumed run must share with its checkpoint: every key of the data, model, diffusion, guidance,
 * optimiser, EMA and training sections except those that only say how long, how often or where the run reports,
 * samples or trains ({@link #FREE}). Resuming with other values would silently mix two trainings in one run.
 */
final class ConfigChanges {
    /** Keys (or sections ending in '.') that may change on resume: run length, reporting, sampling, execution. */
    static final List<String> FREE = List.of("train.max_steps", "train.max_minutes", "train.log_every",
            "train.checkpoint_every", "train.keep_last", "train.sample_every", "train.sample_per_label", "train.sample_steps", "train.threads",
            "guidance.scale", "sample.", "spark.");

    private ConfigChanges() {}

    /** {@link #between(String, String, String)} for a checkpoint configuration not read from a named file. */
    static List<String> between(String checkpoint, String current) {
        return between(checkpoint, "the checkpoint's configuration", current);
    }

    /**
     * The keys both configurations (JSON or HOCON) have whose values differ, outside {@link #FREE}, each as
     * "key (checkpoint value, now new value)", sorted by key. Keys only one side has (another version) are not compared.
     * The checkpoint's, from {@code checkpointFile}, is parsed as stored data ({@link StoredConfigs}: no includes).
     */
    static List<String> between(String checkpoint, String checkpointFile, String current) {
        Map<String, ConfigValue> before = flat(StoredConfigs.parse(checkpoint, checkpointFile, ConfigFactory.empty()));
        Map<String, ConfigValue> now = flat(StoredConfigs.parse(current, "the current configuration",
                ConfigFactory.empty()));
        List<String> changed = new ArrayList<>();
        before.forEach((key, was) -> {
            ConfigValue is = now.get(key);
            if (is != null && !free(key) && !same(was.unwrapped(), is.unwrapped())) {
                changed.add(key + " (" + was.render() + ", now " + is.render() + ")");
            }
        });
        return changed;
    }

    /** Equal values; numbers by value (1 and 1.0 are the same setting). */
    private static boolean same(Object a, Object b) {
        return a instanceof Number x && b instanceof Number y ? x.doubleValue() == y.doubleValue() : Objects.equals(a, b);
    }

    private static boolean free(String key) {
        return FREE.stream().anyMatch(f -> f.endsWith(".") ? key.startsWith(f) : key.equals(f));
    }

    private static Map<String, ConfigValue> flat(Config c) {
        Map<String, ConfigValue> m = new TreeMap<>();
        c.entrySet().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
