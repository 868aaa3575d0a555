package org.diffusionlabs.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --set} arguments of a tiny, fast {@code train} run (no resize level, 16/32/8 embeddings, batch 4 of 8×8
 * images, a checkpoint every 2 steps, no samples, a log row per step), so the Spark job tests share one model
 * instead of each spelling it out; {@link #set} changes or adds a key (kept in first-set order).
 */
final class TinyTrainArgs {
    private final Map<String, String> sets = new LinkedHashMap<>();

    private TinyTrainArgs() {
        set("model.num_resize", "0");
        set("model.time_embed_dim", "16");
        set("model.cond_embed_dim", "32");
        set("model.embed_dim", "8");
        set("train.batch", "4");
        set("train.checkpoint_every", "2");
        set("train.keep_last", "3");
        set("data.image_size", "8");
        set("optimizer.warmup_steps", "2");
        set("train.sample_every", "0");
        set("train.log_every", "1");
    }

    /** The tiny run's defaults. */
    static TinyTrainArgs tiny() {
        return new TinyTrainArgs();
    }

    /** Overrides {@code key} (or adds it after the others). */
    TinyTrainArgs set(String key, String value) {
        sets.put(key, value);
        return this;
    }

    /** {@code --set key=value} pairs, then {@code extra} unchanged. */
    String[] toArray(String... extra) {
        List<String> out = new ArrayList<>();
        sets.forEach((k, v) -> {
            out.add("--set");
            out.add(k + "=" + v);
        });
        out.addAll(List.of(extra));
        return out.toArray(String[]::new);
    }
}
