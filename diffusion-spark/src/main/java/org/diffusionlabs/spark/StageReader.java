package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;

/**
 * Loads a params-only stage saved by {@link StageWriter}: checks the class, creates it with its saved uid through
 * its {@code (String uid)} constructor and sets the saved param values (defaults are the current code's). The
 * {@code read()} of every DataFrame transform returns one, which is how {@code PipelineModel.load} finds them.
 */
final class StageReader<T extends Params> extends MLReader<T> {
    private final Class<T> type;

    StageReader(Class<T> type) {
        this.type = type;
    }

    @Override
    public T load(String path) {
        try {
            JsonNode m = StageMetadata.read(path, type);
            T stage = type.getConstructor(String.class).newInstance(m.path("uid").asText());
            StageMetadata.setParams(stage, m.path("paramMap"), path + "/" + StageMetadata.FILE);
            return stage;
        } catch (IOException e) {
            throw new UncheckedIOException(type.getSimpleName() + ": cannot load " + path + ": " + e.getMessage(), e);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException(type.getName() + " needs a public (String uid) constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(type.getName() + "(uid): " + e.getCause().getMessage(), e.getCause());
        }
    }
}
