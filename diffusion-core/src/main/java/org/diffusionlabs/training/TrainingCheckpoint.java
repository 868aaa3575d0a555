package org.diffusionlabs.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.Redaction;
import org.diffusionlabs.io.Storage;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Converts a training run's complete state to a {@link Checkpoint} and back: {@code model.safetensors} (the U-Net
 * under the reference state-dict names, loadable by PyTorch and by {@code bin/diffusion forward}),
 * {@code extra.safetensors} (label encoder, guidance null embeddings), {@code ema.safetensors},
 * {@code optimizer.safetensors} (the optimiser's state: AdamW moments), {@code config.json} (the resolved configuration) and
 * {@code metadata.json} (step, data cursor, run seed and partition of the step randomness, optimiser and EMA
 * counters, versions). Restoring all of
 * it makes a resumed run continue bit for bit.
 */
public final class TrainingCheckpoint {
    public static final String MODEL = "model.safetensors";
    public static final String EXTRA = "extra.safetensors";
    public static final String EMA = "ema.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String CONFIG = "config.json";
    public static final String METADATA = "metadata.json";
    /** The files without which a checkpoint cannot be resumed or sampled from (the EMA file exists only with an EMA). */
    public static final Set<String> REQUIRED = Set.of(MODEL, EXTRA, OPTIMIZER, CONFIG, METADATA);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {}

    /** A store of training checkpoints: one missing a {@link #REQUIRED} file does not count (resume falls back). */
    public static CheckpointStore store(Storage storage, int keepLast) {
        return new CheckpointStore(storage, keepLast, REQUIRED);
    }

    /**
     * Captures the run after {@code state.step} steps; {@code configJson} is saved with its secrets masked
     * ({@link Redaction#jsonText}: secret-named keys, credentials in URIs).
     */
    public static Checkpoint capture(TrainStep step, Ema ema, Trainer.State state, String configJson,
                                     Map<String, String> versions) {
        TrainingGraph g = step.graph();
        Map<String, Map<String, INDArray>> tensors = new LinkedHashMap<>();
        tensors.put(MODEL, g.unet().parameters().asMap());
        Map<String, INDArray> extra = new LinkedHashMap<>();
        if (g.encoder() != null) {
            extra.put(LabelEmbedding.NAME, g.encoder().table());
        }
        if (g.guidance() != null) {
            extra.putAll(g.guidance().stateDict());
        }
        tensors.put(EXTRA, extra);
        if (ema != null) {
            tensors.put(EMA, ema.weights());
        }
        tensors.put(OPTIMIZER, step.optimizer().state());
        ObjectNode meta = JSON.createObjectNode();
        meta.put("step", state.step);
        ObjectNode cursor = meta.putObject("data_cursor");
        cursor.put("seed", state.cursor.seed()).put("size", state.cursor.size()).put("epoch", state.cursor.epoch())
                .put("index", state.cursor.index());
        meta.put("seed", state.seed);
        meta.put("partition", state.partition);
        meta.put("optimizer_steps", step.optimizer().steps());
        meta.put("ema_updates", ema == null ? 0 : ema.updates());
        meta.set("versions", JSON.valueToTree(versions));
        return new Checkpoint(state.step, tensors, Map.of(CONFIG, Redaction.jsonText(configJson), METADATA,
                meta.toPrettyString()));
    }

    /** Restores parameters, optimiser, EMA and loop state in place from a checkpoint of the same configuration. */
    public static Trainer.State restore(Checkpoint cp, TrainStep step, Ema ema) {
        TrainingGraph g = step.graph();
        g.unet().parameters().load(cp.tensors(MODEL), true);
        Map<String, INDArray> extra = cp.tensors(EXTRA);
        if (g.encoder() != null) {
            g.encoder().table().assign(require(extra, LabelEmbedding.NAME));
        }
        if (g.guidance() != null) {
            Map<String, INDArray> nulls = new LinkedHashMap<>(extra);
            nulls.remove(LabelEmbedding.NAME);
            g.guidance().load(nulls);
        }
        JsonNode meta = metadata(cp);
        step.optimizer().restore(cp.tensors(OPTIMIZER), meta.path("optimizer_steps").asLong());
        if (ema != null) {
            ema.restore(cp.tensors(EMA), meta.path("ema_updates").asLong());
        }
        JsonNode c = meta.path("data_cursor");
        DataCursor cursor = new DataCursor(c.path("seed").asLong(), c.path("size").asInt(), c.path("epoch").asLong(),
                c.path("index").asInt());
        // checkpoints written before per-step seeds kept a generator state instead: they continue from the data seed
        long seed = meta.has("seed") ? meta.path("seed").asLong() : c.path("seed").asLong();
        return new Trainer.State(meta.path("step").asLong(), cursor, seed, meta.path("partition").asInt(0));
    }

    /** The parsed metadata document. */
    public static JsonNode metadata(Checkpoint cp) {
        try {
            return JSON.readTree(cp.jsonFiles().get(METADATA));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + cp.step() + ": " + METADATA + " is not JSON", e);
        }
    }

    private static INDArray require(Map<String, INDArray> m, String name) {
        INDArray a = m.get(name);
        if (a == null) {
            throw new IllegalArgumentException("checkpoint has no " + name + " (it has " + m.keySet() + ")");
        }
        return a;
    }
}
