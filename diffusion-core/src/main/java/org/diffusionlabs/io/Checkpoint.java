package org.diffusionlabs.io;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training checkpoint: the step it was taken at, tensor files (e.g. {@code model.safetensors} with the
 * reference state-dict names, {@code ema.safetensors}, {@code optimizer.safetensors}) and JSON documents (the
 * resolved {@code config.json}, {@code metadata.json} with seed, data cursor and versions). Data only: no Java
 * serialisation, no code.
 *
 * @param step        optimiser steps taken
 * @param tensorFiles file name → tensors (float32, written as safetensors)
 * @param jsonFiles   file name → JSON text
 */
public record Checkpoint(long step, Map<String, Map<String, INDArray>> tensorFiles, Map<String, String> jsonFiles) {
    public Checkpoint {
        Checks.require(step >= 0, "Checkpoint", "step", step, "must be >= 0");
        tensorFiles = Collections.unmodifiableMap(new LinkedHashMap<>(Checks.notNull(tensorFiles, "Checkpoint", "tensorFiles")));
        jsonFiles = Collections.unmodifiableMap(new LinkedHashMap<>(Checks.notNull(jsonFiles, "Checkpoint", "jsonFiles")));
        for (String name : tensorFiles.keySet()) {
            Checks.require(name.endsWith(".safetensors") && !name.contains("/"), "Checkpoint", "tensorFiles", name,
                    "must be plain *.safetensors file names");
        }
        for (String name : jsonFiles.keySet()) {
            Checks.require(name.endsWith(".json") && !name.contains("/") && !name.equals(CheckpointStore.MANIFEST),
                    "Checkpoint", "jsonFiles", name, "must be plain *.json file names other than the manifest");
        }
    }

    /** The tensors of one file, or an error naming the missing file. */
    public Map<String, INDArray> tensors(String file) {
        Map<String, INDArray> t = tensorFiles.get(file);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint at step " + step + " has no " + file + " (it has "
                    + tensorFiles.keySet() + ")");
        }
        return t;
    }
}
