package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.JsonFields;
import org.diffusionlabs.recipes.TrainingSpec;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Loads a {@link DiffusionModel} written by {@link DiffusionModelWriter} (format 3), by the earlier writer (format 2:
 * the same layout), or by the first {@code DiffusionModel.save} (format 1: {@code metadata.json} with the params
 * under {@code params}, no uid): the spec from its JSON, the newest valid checkpoint under {@code checkpoints/},
 * the image size, step and params (format 1's {@code weights} is now {@code sampleWeights}).
 * <p>
 * A model directory is data from whoever wrote it, so it is read as data only: bounded JSON, every field by name and
 * type ({@link JsonFields}), safetensors. Formats 1 and 2 also hold the spec Java-serialised
 * ({@code specSerialized}); that copy is never read (deserialising it would run whatever classes the bytes name and
 * allocate whatever they claim), since every directory those versions wrote has the same spec as JSON too.
 */
final class DiffusionModelReader extends MLReader<DiffusionModel> {
    /** The format-1 metadata file. */
    static final String LEGACY_METADATA = "metadata.json";
    private static final String OWNER = "DiffusionModel";

    @Override
    public DiffusionModel load(String location) {
        String path = location.endsWith("/") && location.length() > 1 ? location.substring(0, location.length() - 1)
                : location;
        try {
            boolean stage = StageMetadata.exists(path);
            String file = path + "/" + (stage ? StageMetadata.FILE : LEGACY_METADATA);
            ObjectNode m = stage ? StageMetadata.read(path, DiffusionModel.class) : legacy(path);
            JsonFields f = JsonFields.of(m, OWNER + ": " + file);
            JsonNode params;
            String uid;
            if (stage) {
                int format = f.integer("format");
                if (format < 2 || format > DiffusionModelWriter.FORMAT) {
                    throw new IllegalArgumentException(OWNER + ": " + file + " has format " + format + "; this version "
                            + "reads formats 1 to " + DiffusionModelWriter.FORMAT + " (a newer version wrote it?)");
                }
                params = m.path("paramMap");
                uid = f.text("uid");
            } else {
                f.object("params"); // an object, or an error naming the file
                ObjectNode p = m.get("params").deepCopy();
                p.set("sampleWeights", p.remove("weights"));   // renamed: weights() returns the arrays
                params = p;
                uid = Identifiable.randomUID(OWNER);
            }
            TrainingSpec spec = spec(m, file);
            int imageSize = f.integer("imageSize");
            long step = f.longValue("step");
            int rejected = f.integer("rejectedContributions");
            Checkpoint cp = new CheckpointStore(new HadoopStorage(path + "/" + DiffusionModelWriter.CHECKPOINTS),
                    Integer.MAX_VALUE).latest(skipped -> { })
                    .orElseThrow(() -> new IllegalArgumentException(OWNER + ": " + path + "/"
                            + DiffusionModelWriter.CHECKPOINTS + " has no valid checkpoint"));
            DiffusionModel weights = DiffusionModel.fromCheckpoint(spec, imageSize, cp);
            DiffusionModel model = new DiffusionModel(uid, spec, weights.imageSize(), weights.state(), step, rejected);
            StageMetadata.setParams(model, params, file);
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(OWNER + ": cannot load " + path + ": " + e.getMessage(), e);
        }
    }

    /** The spec's JSON object; a directory with only the Java-serialised copy is refused, naming why. */
    private static TrainingSpec spec(JsonNode m, String file) {
        if (!m.path("spec").isObject()) {
            throw new IllegalArgumentException(OWNER + ": " + file + " has no JSON \"spec\" object"
                    + (m.has("specSerialized") ? " (only a Java-serialised specSerialized, which is never read: "
                    + "deserialising files is unsafe; every saved model of formats 1 and 2 has both, so this one was "
                    + "altered)" : "") + "; save the model again from the code or run that trained it");
        }
        return TrainingSpec.fromJson(m.get("spec"), OWNER + ": " + file + " spec");
    }

    private static ObjectNode legacy(String path) throws IOException {
        if (!new HadoopStorage(path).exists(LEGACY_METADATA)) {
            throw new IllegalArgumentException(OWNER + ": " + path + " has neither " + StageMetadata.FILE + " nor "
                    + LEGACY_METADATA + " (not a saved DiffusionModel)");
        }
        ObjectNode m = StageMetadata.readObject(path, LEGACY_METADATA, OWNER);
        if (!DiffusionModel.class.getName().equals(m.path("class").asText()) || m.path("format").asInt() != 1) {
            throw new IllegalArgumentException(OWNER + ": " + path + "/" + LEGACY_METADATA + " is class "
                    + m.path("class").asText() + " format " + m.path("format").asInt() + ", expected "
                    + DiffusionModel.class.getName() + " format 1");
        }
        return m;
    }
}
