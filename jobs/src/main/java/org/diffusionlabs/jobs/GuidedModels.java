package org.diffusionlabs.jobs;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Wraps a U-Net in classifier-free guidance over its conditional input, with null embeddings from a state dict. */
final class GuidedModels {
    private GuidedModels() {}

    static DenoisingModel wrap(DenoisingModel unet, AdmUNetConfig config, Map<String, INDArray> adapterWeights,
                               double guidance, String source) {
        if (config.embedDim() <= 0) {
            throw new IllegalArgumentException("guidance needs a conditional U-Net (embed_dim > 0)");
        }
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition(config.embedName(), config.embedDim())
                .optGuidance(guidance).optInitRng(new Rng(0)).build();
        try {
            cfg.load(adapterWeights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
        return cfg;
    }
}
