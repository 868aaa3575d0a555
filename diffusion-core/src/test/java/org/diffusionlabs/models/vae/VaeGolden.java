package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.TinyGolden;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The golden files of the tiny VAE ({@code golden/vae/}, written by {@code tools/golden/vae_golden.py} from the
 * real reference): its config, perturbed weights, inputs, outputs and scalars.
 */
final class VaeGolden {
    private VaeGolden() {}

    static VaeConfig config() {
        return VaeConfig.builder().setEmbeddingChannels(3).setInChannels(3).setOutChannels(2).setZChannels(4)
                .setChannels(8).setNumResBlocks(1).optChannelMultipliers(1, 2).optNormGroups(4).optNormEps(1e-6)
                .optOutputAlphaChannel(true).build();
    }

    static Map<String, INDArray> state() {
        return TinyGolden.file("vae/vae_state.safetensors");
    }

    static Map<String, INDArray> inputs() {
        return TinyGolden.file("vae/vae_inputs.safetensors");
    }

    static Map<String, INDArray> outputs() {
        return TinyGolden.file("vae/vae_outputs.safetensors");
    }

    static Golden scalars() {
        return Golden.load("vae/vae_scalars.json");
    }

    /** The golden VAE: built from seed 0 (as the generator did), then loaded with the perturbed weights. */
    static VariationalAutoencoder vae() {
        VariationalAutoencoder vae = VariationalAutoencoder.ldmVariationalAutoencoder(config(), new Rng(0));
        vae.loadStateDict(state());
        return vae;
    }
}
