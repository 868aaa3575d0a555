package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Seeds;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;

import java.io.IOException;
import java.util.Map;

/**
 * Saves a {@link DiffusionModel} as data only: Spark ML's {@code metadata/part-00000} ({@link StageMetadata}: class,
 * uid, params) with the model's own fields ({@code format} 3, {@code imageSize}, {@code step},
 * {@code rejectedContributions}, the spec as its JSON, {@code TrainingSpec.json()}), and {@code checkpoints/step-N/},
 * a checkpoint in the single-machine trainer's format (safetensors and JSON; either trainer can resume it), through
 * {@link HadoopStorage}. Formats 1 and 2 also carried the spec Java-serialised; format 3 drops it, and
 * {@link DiffusionModelReader} never reads it.
 */
final class DiffusionModelWriter extends StageWriter {
    static final String CHECKPOINTS = "checkpoints";
    static final int FORMAT = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DiffusionModel model;

    DiffusionModelWriter(DiffusionModel model) {
        super(model);
        this.model = model;
    }

    @Override
    protected void addMetadata(ObjectNode m) throws IOException {
        m.put("format", FORMAT);
        m.put("imageSize", model.imageSize());
        m.put("step", model.step());
        m.put("rejectedContributions", model.rejectedContributions());
        m.set("spec", JSON.readTree(model.spec().json()));
    }

    @Override
    protected void saveData(String path) throws IOException {
        TrainingSpec spec = model.spec();
        TrainingSpec.Built b = model.build();
        Trainer.State st = new Trainer.State(model.step(), DataCursor.at(Seeds.data(spec.seed(), 0), 1, 0), spec.seed(), 0);
        new CheckpointStore(new HadoopStorage(path + "/" + CHECKPOINTS), 1)
                .save(TrainingCheckpoint.capture(b.step(), b.ema(), st, spec.json(), Map.of()));
    }
}
