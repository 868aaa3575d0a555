package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.spark.HadoopStorage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code train} writes into a run directory, and the rule that protects it: a directory that already holds a
 * run (any of {@link #OUTPUTS}) is continued only with {@code --resume} and replaced only with {@code --overwrite},
 * so a new run can never overwrite an old one's checkpoints and metrics by accident.
 */
final class RunDirectory {
    /** The entries of a run directory that {@code train} and {@code train-vae} write (and {@code --overwrite} removes). */
    static final List<String> OUTPUTS = List.of("checkpoints", "metrics.jsonl", "config.json", "loss.png", "samples",
            "vae.safetensors", "latent.json", "reconstructions.png");

    private RunDirectory() {}

    /** The outputs present in the run directory. */
    static List<String> present(HadoopStorage dir) throws IOException {
        List<String> found = new ArrayList<>();
        for (String name : OUTPUTS) {
            if (dir.exists(name)) {
                found.add(name);
            }
        }
        return found;
    }

    /** Refuses a run location that is a file, or that holds a run when neither resuming nor overwriting. */
    static void check(HadoopStorage dir, String run, boolean resume, boolean overwrite) throws IOException, UsageException {
        if (dir.exists("") && !dir.isDirectory("")) {
            throw new UsageException("option --out " + run + " is a file, not a run directory");
        }
        List<String> found = present(dir);
        if (!found.isEmpty() && !resume && !overwrite) {
            throw new UsageException(run + " already holds a run (" + String.join(", ", found) + "): pass --resume latest "
                    + "to continue it, or --overwrite to replace it, or choose another --out");
        }
    }

    /** Removes the previous run's outputs (only those: other files in the directory stay); returns what it removed. */
    static List<String> clear(HadoopStorage dir) throws IOException {
        List<String> found = present(dir);
        for (String name : found) {
            dir.delete(name);
        }
        return found;
    }
}
