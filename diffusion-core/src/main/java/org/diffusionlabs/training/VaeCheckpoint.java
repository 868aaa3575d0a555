package org.diffusionlabs.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.Redaction;
import org.diffusionlabs.io.Storage;
import org.diffusionlabs.models.vae.VariationalAutoencoder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A VAE training run's complete state as a {@link Checkpoint}, in the layout of {@link TrainingCheckpoint}:
 * {@code model.safetensors} (the VAE under the reference's state-dict names), {@code ema.safetensors},
 * {@code optimizer.safetensors}, {@code config.json} and {@code metadata.json} (step, data cursor, run seed,
 * optimiser and EMA counters, versions). Restoring it continues a run bit for bit.
 */
public final class VaeCheckpoint {
    /** The files without which a VAE checkpoint cannot be resumed (the EMA file exists only with an EMA). */
    public static final Set<String> REQUIRED = Set.of(TrainingCheckpoint.MODEL, TrainingCheckpoint.OPTIMIZER,
            TrainingCheckpoint.CONFIG, TrainingCheckpoint.METADATA);
    private static final ObjectMapper JSON = new ObjectMapper();

    private VaeCheckpoint() {}

    /** A store of VAE checkpoints: one missing a {@link #REQUIRED} file does not count (resume falls back). */
    public static CheckpointStore store(Storage storage, int keepLast) {
        return new CheckpointStore(storage, keepLast, REQUIRED);
    }

    /** Captures the run after {@code state.step} steps ({@code configJson} saved with its secrets masked). */
    public static Checkpoint capture(VariationalAutoencoder vae, Optimizer optimizer, Ema ema, Trainer.State state,
                                     String configJson, Map<String, String> versions) {
        Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> tensors = new LinkedHashMap<>();
        tensors.put(TrainingCheckpoint.MODEL, vae.stateDict());
        if (ema != null) {
            tensors.put(TrainingCheckpoint.EMA, ema.weights());
        }
        tensors.put(TrainingCheckpoint.OPTIMIZER, optimizer.state());
        ObjectNode meta = JSON.createObjectNode();
        meta.put("step", state.step);
        ObjectNode cursor = meta.putObject("data_cursor");
        cursor.put("seed", state.cursor.seed()).put("size", state.cursor.size()).put("epoch", state.cursor.epoch())
                .put("index", state.cursor.index());
        meta.put("seed", state.seed);
        meta.put("partition", state.partition);
        meta.put("optimizer_steps", optimizer.steps());
        meta.put("ema_updates", ema == null ? 0 : ema.updates());
        meta.set("versions", JSON.valueToTree(versions));
        return new Checkpoint(state.step, tensors, Map.of(TrainingCheckpoint.CONFIG, Redaction.jsonText(configJson),
                TrainingCheckpoint.METADATA, meta.toPrettyString()));
    }

    /**
     * Restores weights, optimiser, EMA and loop state in place.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or wrongly shaped VAE tensor
     */
    public static Trainer.State restore(Checkpoint cp, VariationalAutoencoder vae, Optimizer optimizer, Ema ema) {
        vae.loadStateDict(cp.tensors(TrainingCheckpoint.MODEL));
        JsonNode meta = TrainingCheckpoint.metadata(cp);
        optimizer.restore(cp.tensors(TrainingCheckpoint.OPTIMIZER), meta.path("optimizer_steps").asLong());
        if (ema != null) {
            ema.restore(cp.tensors(TrainingCheckpoint.EMA), meta.path("ema_updates").asLong());
        }
        JsonNode c = meta.path("data_cursor");
        DataCursor cursor = new DataCursor(c.path("seed").asLong(), c.path("size").asInt(), c.path("epoch").asLong(),
                c.path("index").asInt());
        return new Trainer.State(meta.path("step").asLong(), cursor, meta.path("seed").asLong(),
                meta.path("partition").asInt(0));
    }
}
