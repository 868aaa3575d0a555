package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.training.LabelEmbedding;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one weight loader of a conditional model: copies weights by state-dict name into a freshly built U-Net, its
 * label encoder (when label-conditioned) and the guidance null embeddings, the trained null embedding also becoming
 * the one used when sampling. Null embeddings absent from the weights keep their built values.
 */
public final class ModelWeights {
    private ModelWeights() {}

    /** Loads {@code all} into the parts of {@code m}. */
    public static void load(ModelSpec.Model m, Map<String, INDArray> all) {
        load(m.unet(), m.encoder(), m.guidance(), all);
    }

    /** Loads {@code all} into {@code unet}, {@code encoder} (none when null) and {@code guidance}. */
    public static void load(AdmUNet unet, LabelEmbedding encoder, ClassifierFreeGuidance guidance,
                            Map<String, INDArray> all) {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        unet.parameters().asMap().keySet().forEach(k -> weights.put(k, require(all, k)));
        unet.parameters().load(weights, true);
        if (encoder != null) {
            encoder.table().assign(require(all, LabelEmbedding.NAME));
        }
        String embed = unet.config().embedName();
        Map<String, INDArray> nulls = new LinkedHashMap<>();
        guidance.stateDict().keySet().forEach(k -> nulls.put(k, all.get(k)));
        INDArray trained = all.get("train_unconditional_embedding." + embed);
        if (trained != null) {
            nulls.put("eval_unconditional_embedding." + embed, trained);
        }
        nulls.replaceAll((k, v) -> v == null ? guidance.stateDict().get(k) : v);
        guidance.load(nulls);
    }

    private static INDArray require(Map<String, INDArray> all, String name) {
        INDArray a = all.get(name);
        if (a == null) {
            throw new IllegalArgumentException("model weights have no " + name + " (they have " + all.keySet() + ")");
        }
        return a;
    }
}
