package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWriter;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Saves a stage's params in Spark ML's layout ({@link StageMetadata}), on the public {@link MLWriter} API:
 * {@code stage.write().overwrite().save(path)}, and inside a saved {@code PipelineModel}. Stages with data beyond
 * their params extend it ({@link DiffusionModelWriter}).
 */
class StageWriter extends MLWriter {
    private final Params stage;

    StageWriter(Params stage) {
        this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
        try {
            ObjectNode m = StageMetadata.of(stage, sparkSession().version());
            addMetadata(m);
            StageMetadata.write(path, m);
            saveData(path);
        } catch (IOException e) {
            throw new UncheckedIOException(stage.getClass().getSimpleName() + ": cannot save to " + path + ": "
                    + e.getMessage(), e);
        }
    }

    /** Adds fields of the stage's own to its metadata (none here). */
    protected void addMetadata(ObjectNode metadata) throws IOException {
    }

    /** Writes data files under {@code path} next to the metadata (none here). */
    protected void saveData(String path) throws IOException {
    }
}
