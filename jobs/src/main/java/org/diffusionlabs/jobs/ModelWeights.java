package org.diffusionlabs.jobs;

import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of a class-conditional model by state-dict name (U-Net, label encoder, guidance null embeddings), as a
 * checkpoint stores them, and their loading into a freshly built {@link TrainRecipe.Model}.
 */
final class ModelWeights {
    private ModelWeights() {}

    /** A checkpoint's weights by state-dict name: the U-Net, label encoder and null embeddings, EMA ones over them. */
    static Map<String, INDArray> of(Checkpoint cp, String which) {
        Map<String, INDArray> all = new LinkedHashMap<>(cp.tensors(TrainingCheckpoint.MODEL));
        all.putAll(cp.tensors(TrainingCheckpoint.EXTRA));
        if (which.equals("ema")) {
            all.putAll(cp.tensors(TrainingCheckpoint.EMA));
        }
        return all;
    }

    /**
     * Copies weights by state-dict name (as {@link #of} gives them) into a freshly built model: U-Net, label
     * encoder, and the guidance null embedding, whose trained value also becomes the one used when sampling.
     */
    static void load(TrainRecipe.Model model, Map<String, INDArray> all) {
        Map<String, INDArray> unet = new LinkedHashMap<>();
        model.unet().parameters().asMap().keySet().forEach(k -> unet.put(k, all.get(k)));
        model.unet().parameters().load(unet, true);
        model.encoder().table().assign(all.get(LabelEmbedding.NAME));
        Map<String, INDArray> nulls = new LinkedHashMap<>();
        model.guidance().stateDict().keySet().forEach(k -> nulls.put(k, all.get(k)));
        nulls.put("eval_unconditional_embedding." + model.unet().config().embedName(),
                all.get("train_unconditional_embedding." + model.unet().config().embedName()));
        model.guidance().load(nulls);
    }
}
