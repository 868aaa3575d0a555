package org.diffusionlabs.models.adm;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four more adm_unet configurations run through the real reference (golden/extra, see its README): every knob of the
 * factory varies. From the same seed our U-Net and guidance null embedding must be initialised exactly as PyTorch
 * does (parameter sums and first/last values), and the eval and guided forward passes must match.
 */
class ExtraConfigsGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"A", "B", "C", "D"})
    void initialisationAndForwardMatchTheReference(String name) {
        Golden g = Golden.load("extra/" + name + ".json");
        JsonNode c = g.node("config");
        AdmUNetConfig config = AdmUNetConfig.admUnet(c.get("time_embed_dim").asInt(), c.get("cond_embed_dim").asInt(),
                c.get("embed_dim").asInt(), c.get("embed_name").asText(), c.get("predict_variance_value").asBoolean(),
                c.get("image_channels").asInt(), c.get("depth").asInt(), c.get("num_resize").asInt(),
                c.get("num_res_per_layer").asInt());
        Rng rng = new Rng(g.node("seed").asLong());
        AdmUNet unet = AdmUNet.create(config, rng);
        String embed = config.embedName();
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition(embed, config.embedDim())
                .optGuidance(2.0).optInitRng(rng).build();

        checkParameters(g.node("params"), unet.parameters().asMap());
        assertEquals(g.node("param_count").asLong(), unet.parameters().count());
        checkParameter(g.node("null_embedding"), cfg.stateDict().get("train_unconditional_embedding." + embed));

        Map<String, INDArray> f = TinyGolden.file("extra/" + name + ".safetensors");
        Conditioning cond = Conditioning.of(embed, f.get(embed));
        DiffusionOutput eval = unet.predict(f.get("x_t"), f.get("t"), cond);
        Approx.assertCloseToMax(f.get("unet.prediction"), eval.prediction(), 1e-4, 1e-6, name + " prediction");
        DiffusionOutput guided = cfg.predict(f.get("x_t"), f.get("t"), cond);
        Approx.assertCloseToMax(f.get("cfg_g2.prediction"), guided.prediction(), 1e-4, 1e-6, name + " guided");
        if (config.predictVarianceValue()) {
            Approx.assertCloseToMax(f.get("unet.variance_value"), eval.varianceValue(), 1e-4, 1e-6, name + " variance");
            Approx.assertCloseToMax(f.get("cfg_g2.variance_value"), guided.varianceValue(), 1e-4, 1e-6, name + " guided var");
        }
    }

    private static void checkParameters(JsonNode params, Map<String, INDArray> ours) {
        assertEquals(params.size(), ours.size(), "state_dict entries");
        List<String> names = new ArrayList<>(ours.keySet());
        for (int i = 0; i < params.size(); i++) {
            JsonNode p = params.get(i);
            assertEquals(p.get("name").asText(), names.get(i), "state_dict order at " + i);
            checkParameter(p, ours.get(names.get(i)));
        }
    }

    /** Exact first/last values (same RNG stream) and the float64 sum to float32 accumulation noise. */
    private static void checkParameter(JsonNode p, INDArray ours) {
        String name = p.get("name").asText();
        INDArray flat = ours.castTo(DataType.DOUBLE).reshape(ours.length());
        JsonNode first = p.get("first");
        JsonNode last = p.get("last");
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).asDouble(), flat.getDouble(i), 0.0, name + " first[" + i + "]");
            assertEquals(last.get(i).asDouble(), flat.getDouble(flat.length() - last.size() + i), 0.0, name + " last[" + i + "]");
        }
        double sum = flat.sumNumber().doubleValue();
        assertTrue(Math.abs(sum - p.get("sum").asDouble()) <= 1e-9 * ours.length(), name + " sum " + sum);
    }
}
