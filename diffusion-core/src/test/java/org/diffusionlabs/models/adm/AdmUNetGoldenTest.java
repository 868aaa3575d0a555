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
