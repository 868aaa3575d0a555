package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latent bridge: encoding is the posterior mode times the scale, the same bytes whatever the batch size;
 * decoding undoes the scale and clamps to [−1, 1]; the scale factor is 1/σ; bad inputs are named.
 */
class LatentCodecTest {
    private static final VariationalAutoencoder VAE = VariationalAutoencoder.ldmVariationalAutoencoder(
            VaeConfig.builder().setEmbeddingChannels(2).setInChannels(1).setOutChannels(1).setZChannels(2).setChannels(8)
                    .setNumResBlocks(1).optChannelMultipliers(1, 2).optNormGroups(4).build(), new Rng(7));
    private static final INDArray IMAGES = new Rng(2).rand(5, 1, 8, 8).muli(2).subi(1);

    @Test
    void encodingIsTheScaledModeWhateverTheBatch() {
        INDArray one = new LatentCodec(VAE, 1.0).encode(IMAGES, 5);
        assertArrayEquals(new long[] {5, 2, 4, 4}, one.shape());
        assertEquals(VAE.encode(IMAGES).mean(), one, "the posterior mean (= mode)");
        INDArray byTwo = new LatentCodec(VAE, 1.0).encode(IMAGES, 2);
        assertArrayEquals(one.data().asFloat(), byTwo.data().asFloat(), "batches of 2 give the same bytes as one of 5");
        assertEquals(one.mul(2.5), new LatentCodec(VAE, 2.5).encode(IMAGES, 3));
    }

    @Test
    void decodingDividesByTheScaleAndClamps() {
        INDArray z = new Rng(4).randn(3, 2, 4, 4).muli(3);
        INDArray decoded = new LatentCodec(VAE, 2.0).decode(z, 2);
        assertArrayEquals(new long[] {3, 1, 8, 8}, decoded.shape());
        assertTrue(decoded.maxNumber().doubleValue() <= 1 && decoded.minNumber().doubleValue() >= -1);
        INDArray raw = VAE.decode(z.div(2.0));
        INDArray clamped = org.nd4j.linalg.ops.transforms.Transforms.min(
                org.nd4j.linalg.ops.transforms.Transforms.max(raw, -1, true), 1, false);
        assertEquals(clamped, decoded);
    }

    @Test
    void scaleFactorIsOneOverTheStandardDeviation() {
        // mean 1, deviations ±1 and ±3: variance (1 + 1 + 9 + 9) / 4 = 5
        assertEquals(1 / Math.sqrt(5), LatentCodec.scaleFactor(Nd4j.createFromArray(2f, 0f, 4f, -2f)), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LatentCodec.scaleFactor(Nd4j.ones(2, 3)));
        assertTrue(e.getMessage().contains("latents.std"), e.getMessage());
    }

    @Test
    void badScalesAndLatentWidthsAreNamed() {
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> new LatentCodec(VAE, 0));
        assertTrue(s.getMessage().contains("scale"), s.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> new LatentCodec(VAE, 1).decode(Nd4j.zeros(1, 3, 4, 4), 1));
        assertTrue(w.getMessage().contains("[1, 3, 4, 4]"), w.getMessage());
    }
}
