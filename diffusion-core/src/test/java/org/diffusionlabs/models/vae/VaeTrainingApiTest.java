package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.training.AdamW;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VAE's parameters and gradient buffer plug into the trainer's optimiser as the U-Net's do (state-dict names on
 * both maps): AdamW steps on a fixed batch lower the MSE + KL loss.
 */
class VaeTrainingApiTest {
    @Test
    void adamWStepsOnTheEngineGradientsLowerTheLoss() {
        VariationalAutoencoder vae = VaeNetworkMemoryTest.vae();
        Rng rng = new Rng(11);
        INDArray x = rng.rand(2, 3, 8, 8).muli(2).subi(1);
        AdamW adam = new AdamW();
        try (VaeNetwork net = vae.network(Kernels.get())) {
            double first = VaeNetworkMemoryTest.step(net, x, rng);
            double last = first;
            for (int i = 0; i < 30; i++) {
                adam.step(vae.stateDict(), net.gradients().gradients(), 3e-3);
                net.gradients().zero();
                last = VaeNetworkMemoryTest.step(net, x, rng);
            }
            assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
        }
    }
}
