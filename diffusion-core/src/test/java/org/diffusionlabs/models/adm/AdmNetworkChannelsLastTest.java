package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.diffusionlabs.testing.Approx.assertClose;

/**
 * The channels-last inference forward of the engine's U-Net (res blocks with up- and downsampling and skip convs,
 * cross-attention, skip concats, variance head) against its NCHW forward, on both kernel implementations.
 */
class AdmNetworkChannelsLastTest {
    @ParameterizedTest
    @ValueSource(strings = {"vector", "composed"})
    void channelsLastInferenceMatchesNchw(String kernels) {
        AdmUNetConfig config = new AdmUNetConfig(new int[] {32, 64}, 1, 1, new boolean[] {false, true}, 8, 8, 5, "c",
                2, 4, 8, true, 0.0);
        Rng rng = new Rng(43);
        AdmUNet unet = AdmUNet.create(config, rng);
        INDArray x = rng.randn(3, 2, 8, 8);
        INDArray t = Nd4j.createFromArray(7f, 420f, 999f);
        INDArray c = rng.randn(3, 5);
        try (AdmNetwork net = new AdmNetwork(unet, Map.of(), Kernels.named(kernels))) {
            net.channelsLast(false);
            AdmNetwork.Output nchw = net.forward(x, t, c, Map.of(), false);
            INDArray prediction = nchw.prediction().dup();
            INDArray variance = nchw.varianceValue().dup();
            net.reclaim();
            net.channelsLast(true);
            AdmNetwork.Output nhwc = net.forward(x, t, c, Map.of(), false);
            assertClose(prediction, nhwc.prediction(), 1e-4, 1e-5, "prediction");
            assertClose(variance, nhwc.varianceValue(), 1e-4, 1e-5, "variance value");
            net.reclaim();
        }
    }
}
