package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.diffusionlabs.models.vae.VaeHarness.assertShapeAndSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Port of the reference's {@code test_vae.py}: seed 98765, the VAE built first (embedding 6, in 2, out 5, z 3,
 * channels 4, 2 res blocks, multipliers (1, 2, 4), 2 groups, eps 1e-5), then x = randn(2, 2, 16, 16) (or
 * z = randn(2, 6, 4, 4) for decode); the forward's ε is drawn after x. Sums at the reference's atol 1e-4.
 */
class VaeReferenceTest {
    static final long[] LATENT = {2, 6, 4, 4};

    static VariationalAutoencoder vae(Rng rng) {
        return VariationalAutoencoder.ldmVariationalAutoencoder(VaeConfig.builder().setEmbeddingChannels(6)
                .setInChannels(2).setOutChannels(5).setZChannels(3).setChannels(4).setNumResBlocks(2)
                .optChannelMultipliers(1, 2, 4).optNormGroups(2).optNormEps(1e-5).build(), rng);
    }

    @Test
    void encode() {
        Rng rng = new Rng(98765);
        VariationalAutoencoder vae = vae(rng);
        DiagonalGaussian posterior = vae.encode(rng.randn(2, 2, 16, 16));
        assertShapeAndSum(LATENT, -3.4872, posterior.mean());
        assertShapeAndSum(LATENT, 193.3726, posterior.stddev());
        assertShapeAndSum(LATENT, 9.8025, posterior.kl());
        assertArrayEquals(LATENT, posterior.sample(rng).shape());
    }

    @Test
    void decode() {
        Rng rng = new Rng(98765);
        VariationalAutoencoder vae = vae(rng);
        assertShapeAndSum(new long[] {2, 5, 16, 16}, -156.1534, vae.decode(rng.randn(LATENT)));
    }

    @Test
    void forwardSamplingThePosterior() {
        Rng rng = new Rng(98765);
        VariationalAutoencoder vae = vae(rng);
        INDArray x = rng.randn(2, 2, 16, 16);
        assertShapeAndSum(new long[] {2, 5, 16, 16}, -153.6517, vae.forward(x, true, rng).decoderOutput());
    }

    @Test
    void forwardAtTheMode() {
        Rng rng = new Rng(98765);
        VariationalAutoencoder vae = vae(rng);
        INDArray x = rng.randn(2, 2, 16, 16);
        assertShapeAndSum(new long[] {2, 5, 16, 16}, -178.8593, vae.forward(x, false, rng).decoderOutput());
    }
}
