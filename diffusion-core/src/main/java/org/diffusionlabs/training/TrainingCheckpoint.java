package org.diffusionlabs.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts a training run's complete state to a {@link Checkpoint} and back: {@code model.safetensors} (the U-Net
 * under the reference state-dict names, loadable by PyTorch and by {@code bin/diffusion forward}),
 * {@code extra.safetensors} (label encoder, guidance null embeddings), {@code ema.safetensors},
 * {@code optimizer.safetensors} (AdamW moments), {@code config.json} (the resolved configuration) and
 * {@code metadata.json} (step, data cursor, generator state, optimiser and EMA counters, versions). Restoring all of
 * it makes a resumed run continue bit for bit.
 */
public final class TrainingCheckpoint {
    public static final String MODEL = "model.safetensors";
    public static final String EXTRA = "extra.safetensors";
    public static final String EMA = "ema.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String CONFIG = "config.json";
    public static final String METADATA = "metadata.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {}

    /** Captures the run after {@code state.step} steps. */
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
        Map<String, INDArray> opt = new LinkedHashMap<>();
        step.optimizer().firstMoments().forEach((k, v) -> opt.put("m." + k, v));
        step.optimizer().secondMoments().forEach((k, v) -> opt.put("v." + k, v));
        tensors.put(OPTIMIZER, opt);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("step", state.step);
        ObjectNode cursor = meta.putObject("data_cursor");
        cursor.put("seed", state.cursor.seed()).put("size", state.cursor.size()).put("epoch", state.cursor.epoch())
                .put("index", state.cursor.index());
        ArrayNode rng = meta.putArray("rng_state");
        for (long v : state.rng.state()) {
            rng.add(v);
        }
        meta.put("optimizer_steps", step.optimizer().steps());
        meta.put("ema_updates", ema == null ? 0 : ema.updates());
        meta.set("versions", JSON.valueToTree(versions));
        return new Checkpoint(state.step, tensors, Map.of(CONFIG, configJson, METADATA, meta.toPrettyString()));
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
        Map<String, INDArray> m = new LinkedHashMap<>();
        Map<String, INDArray> v = new LinkedHashMap<>();
        cp.tensors(OPTIMIZER).forEach((k, a) -> (k.startsWith("m.") ? m : v).put(k.substring(2), a));
        step.optimizer().restore(m, v, meta.path("optimizer_steps").asLong());
        if (ema != null) {
            ema.restore(cp.tensors(EMA), meta.path("ema_updates").asLong());
        }
        JsonNode c = meta.path("data_cursor");
        DataCursor cursor = new DataCursor(c.path("seed").asLong(), c.path("size").asInt(), c.path("epoch").asLong(),
                c.path("index").asInt());
        JsonNode r = meta.path("rng_state");
        long[] rng = new long[r.size()];
        for (int i = 0; i < rng.length; i++) {
            rng[i] = r.get(i).asLong();
        }
        return new Trainer.State(meta.path("step").asLong(), cursor, Rng.fromState(rng));
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
