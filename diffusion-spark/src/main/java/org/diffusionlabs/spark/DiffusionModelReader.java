package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.recipes.TrainingSpec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * Loads a {@link DiffusionModel} written by {@link DiffusionModelWriter} (format 2), or by the earlier
 * {@code DiffusionModel.save} (format 1: {@code metadata.json} with the params under {@code params}, no uid), so
 * models saved before the Spark ML stages still load: the spec, the newest valid checkpoint under
 * {@code checkpoints/}, the image size, step and params (format 1's {@code weights} is now {@code sampleWeights}).
 */
final class DiffusionModelReader extends MLReader<DiffusionModel> {
    /** The format-1 metadata file. */
    static final String LEGACY_METADATA = "metadata.json";
    private static final String OWNER = "DiffusionModel";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public DiffusionModel load(String path) {
        try {
            JsonNode m;
            JsonNode params;
            String uid;
            if (StageMetadata.exists(path)) {
                m = StageMetadata.read(path, DiffusionModel.class);
                params = m.path("paramMap");
                uid = m.path("uid").asText();
            } else {
                m = legacy(path);
                ObjectNode p = ((ObjectNode) m.path("params")).deepCopy();
                p.set("sampleWeights", p.remove("weights"));   // renamed: weights() returns the arrays
                params = p;
                uid = Identifiable.randomUID(OWNER);
            }
            TrainingSpec spec = spec(m.path("specSerialized").asText());
            Checkpoint cp = new CheckpointStore(new HadoopStorage(path + "/" + DiffusionModelWriter.CHECKPOINTS),
                    Integer.MAX_VALUE).latest(skipped -> { })
                    .orElseThrow(() -> new IllegalArgumentException(OWNER + ": " + path + "/"
                            + DiffusionModelWriter.CHECKPOINTS + " has no valid checkpoint"));
            DiffusionModel weights = DiffusionModel.fromCheckpoint(spec, m.path("imageSize").asInt(), cp);
            DiffusionModel model = new DiffusionModel(uid, spec, weights.imageSize(), weights.state(),
                    m.path("step").asLong(), m.path("rejectedContributions").asInt());
            StageMetadata.setParams(model, params);
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(OWNER + ": cannot load " + path + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode legacy(String path) throws IOException {
        HadoopStorage root = new HadoopStorage(path);
        if (!root.exists(LEGACY_METADATA)) {
            throw new IllegalArgumentException(OWNER + ": " + path + " has neither " + StageMetadata.FILE + " nor "
                    + LEGACY_METADATA + " (not a saved DiffusionModel)");
        }
        JsonNode m;
        try (InputStream in = root.open(LEGACY_METADATA)) {
            m = JSON.readTree(in);
        }
        if (!DiffusionModel.class.getName().equals(m.path("class").asText()) || m.path("format").asInt() != 1) {
            throw new IllegalArgumentException(OWNER + ": " + path + "/" + LEGACY_METADATA + " is class "
                    + m.path("class").asText() + " format " + m.path("format").asInt() + ", expected "
                    + DiffusionModel.class.getName() + " format 1");
        }
        return m;
    }

    private static TrainingSpec spec(String base64) throws IOException {
        try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return (TrainingSpec) o.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("spec: " + e.getMessage(), e);
        }
    }
}
