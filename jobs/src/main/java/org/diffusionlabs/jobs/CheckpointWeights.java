package org.diffusionlabs.jobs;

import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of a class-conditional model by state-dict name (U-Net, label encoder, guidance null embeddings) as a
 * training checkpoint stores them, ready for {@link org.diffusionlabs.recipes.ModelWeights#load}.
 */
final class CheckpointWeights {
    private CheckpointWeights() {}

    /** A checkpoint's weights by state-dict name: the U-Net, label encoder and null embeddings, EMA ones over them. */
    static Map<String, INDArray> of(Checkpoint cp, String which) {
        Map<String, INDArray> all = new LinkedHashMap<>(cp.tensors(TrainingCheckpoint.MODEL));
        all.putAll(cp.tensors(TrainingCheckpoint.EXTRA));
        if (which.equals("ema")) {
            all.putAll(cp.tensors(TrainingCheckpoint.EMA));
        }
        return all;
    }
}
