package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.training.LabelEmbedding;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ModelWeights}: a model built with other seeds takes every weight of the source, and a missing one is named. */
class ModelWeightsTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);

    private record Parts(AdmUNet unet, LabelEmbedding encoder, ClassifierFreeGuidance guidance) {
        static Parts seeded(long seed) {
            AdmUNet unet = AdmUNet.create(MICRO, new Rng(seed));
            return new Parts(unet, LabelEmbedding.create(10, 8, new Rng(seed + 1)), ClassifierFreeGuidance.builder(unet)
                    .addCondition("digit", 8).optInitRng(new Rng(seed + 2)).build());
        }

        Map<String, INDArray> weights() {
            Map<String, INDArray> all = new LinkedHashMap<>(unet.parameters().asMap());
            all.put(LabelEmbedding.NAME, encoder.table());
            all.putAll(guidance.stateDict());
            return all;
        }

        void load(Map<String, INDArray> all) {
            ModelWeights.load(unet, encoder, guidance, all);
        }
    }

    @Test
    void everyWeightIsCopiedAndTheTrainedNullEmbeddingIsUsedWhenSampling() {
        Parts source = Parts.seeded(0);
        Parts target = Parts.seeded(10);
        target.load(source.weights());
        assertEquals(source.unet().parameters().asMap(), target.unet().parameters().asMap());
        assertEquals(source.encoder().table(), target.encoder().table());
        assertEquals(source.guidance().stateDict().get("train_unconditional_embedding.digit"),
                target.guidance().stateDict().get("eval_unconditional_embedding.digit"));
    }

    @Test
    void aMissingLabelTableIsNamed() {
        Map<String, INDArray> all = Parts.seeded(0).weights();
        all.remove(LabelEmbedding.NAME);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parts.seeded(1).load(all));
        assertTrue(e.getMessage().contains("have no " + LabelEmbedding.NAME), e.getMessage());
    }
}
