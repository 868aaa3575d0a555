package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiny ADM U-Net against the PyTorch reference: names, shapes, parameter count and the eval forward. */
class AdmUNetGoldenTest {
    static final double REL = 1e-4;
    static final double ABS = 1e-6;

    @Test
    void parameterNamesShapesAndOrderEqualTheReferenceStateDict() {
        AdmUNet unet = AdmUNet.create(TinyGolden.config(), new org.diffusionlabs.nd.Rng(0));
        Map<String, INDArray> ours = unet.parameters().asMap();
        Map<String, INDArray> ref = TinyGolden.weights();
        assertEquals(new ArrayList<>(ref.keySet()), new ArrayList<>(ours.keySet()));
        List<String> bad = new ArrayList<>();
        ref.forEach((k, v) -> {
            if (!java.util.Arrays.equals(v.shape(), ours.get(k).shape())) {
                bad.add(k);
            }
        });
        assertEquals(List.of(), bad);
        assertEquals(2_841_058L, unet.parameters().count());
    }

    /** What PyTorch's load_state_dict(strict=True) needs: a file we write has exactly the reference's names and shapes. */
    @Test
    void aSavedCheckpointHasTheReferenceStateDictNamesAndShapes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        AdmUNet unet = AdmUNet.create(TinyGolden.config(), new org.diffusionlabs.nd.Rng(3));
        java.nio.file.Path file = dir.resolve("unet.safetensors");
        org.diffusionlabs.io.Safetensors.write(unet.parameters().asMap(), Map.of(), file);
        org.diffusionlabs.io.SafetensorsHeader header = org.diffusionlabs.io.Safetensors.readHeader(file);
        Map<String, INDArray> ref = TinyGolden.weights();
        assertEquals(ref.size(), header.entries().size());
        Map<String, INDArray> back = org.diffusionlabs.io.Safetensors.read(file);
        assertEquals(new ArrayList<>(ref.keySet()), new ArrayList<>(back.keySet()));
        ref.forEach((k, v) -> assertEquals(java.util.Arrays.toString(v.shape()), java.util.Arrays.toString(back.get(k).shape()), k));
        back.forEach((k, v) -> assertEquals(unet.parameters().asMap().get(k), v, k));
    }

    @Test
    void evalForwardMatches() {
        Map<String, INDArray> in = TinyGolden.inputs();
        Map<String, INDArray> out = TinyGolden.outputs();
        DiffusionOutput o = TinyGolden.unet().predict(in.get("x_t"), in.get("t"),
                Conditioning.of("digit", in.get("digit_embedding")));
        Approx.assertCloseToMax(out.get("unet_eval.prediction"), o.prediction(), REL, ABS, "prediction");
        Approx.assertCloseToMax(out.get("unet_eval.variance_value"), o.varianceValue(), REL, ABS, "variance_value");
    }
}
