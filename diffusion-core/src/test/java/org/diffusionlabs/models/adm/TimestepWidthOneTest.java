package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.testing.Approx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A timestep embedding of width 1 (test_dalle2's {@code time_embed_dim=1}) is the reference's single zero column: the
 * U-Net then ignores t, on the engine and in the SameDiff oracle alike. Widths 2 and 3 stay rejected (NaN there).
 */
class TimestepWidthOneTest {
    private static final AdmUNetConfig WIDTH_ONE = AdmUNetConfig.admUnet(1, 4, 3, "c", true, 1, 32, 1, 1);

    @Test
    void theUNetIgnoresTheTimestepOnBothPaths() {
        AdmUNet unet = AdmUNet.create(WIDTH_ONE, new Rng(0));
        Rng data = new Rng(1);
        INDArray x = data.randn(2, 1, 4, 4);
        Conditioning c = Conditioning.of("c", data.randn(2, 3));
        DiffusionOutput early = unet.predict(x, Nd4j.createFromArray(0f, 0f), c);
        DiffusionOutput late = unet.predict(x, Nd4j.createFromArray(500f, 999f), c);
        assertEquals(early.prediction(), late.prediction());
        DiffusionOutput oracle = unet.referencePredict(x, Nd4j.createFromArray(500f, 999f), c);
        Approx.assertClose(oracle.prediction(), late.prediction(), 1e-5, 1e-5, "prediction");
        Approx.assertClose(oracle.varianceValue(), late.varianceValue(), 1e-5, 1e-5, "variance value");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void widthsThatGiveNanAreRejected(int width) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdmUNetConfig.admUnet(width, 4, 3, "c", true, 1, 32, 1, 1));
        assertEquals(true, e.getMessage().contains("timeEmbedDim"), e.getMessage());
    }
}
