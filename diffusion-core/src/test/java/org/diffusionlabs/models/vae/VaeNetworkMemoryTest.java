package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.losses.VaeLoss;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A VAE training step on the engine (forward with ε and dropout, loss, backward, reclaim) allocates no arena array
 * after the first step of a shape, gradients accumulate until zeroed, and backward without a training forward is
 * refused.
 */
class VaeNetworkMemoryTest {
    static VariationalAutoencoder vae() {
        VaeConfig c = VaeConfig.builder().setEmbeddingChannels(3).setInChannels(3).setOutChannels(3).setZChannels(4)
                .setChannels(8).setNumResBlocks(1).optChannelMultipliers(1, 2).optNormGroups(4).optDropout(0.1).build();
        return VariationalAutoencoder.ldmVariationalAutoencoder(c, new Rng(3));
    }

    static double step(VaeNetwork net, INDArray x, Rng rng) {
        INDArray noise = rng.randn(2, 3, 4, 4);
        VaeNetwork.Output out = net.forward(x, noise, DropoutNoise.torch(rng), true);
        Arena a = net.arena();
        INDArray dDec = a.take(out.decoded().shape());
        INDArray dMean = a.take(out.posterior().mean().shape());
        INDArray dLv = a.take(out.posterior().mean().shape());
        double loss = VaeLoss.compute(out.decoded(), x, out.posterior(), 0.1, dDec, dMean, dLv).loss();
        net.backward(dDec, dMean, dLv, false);
        net.reclaim();
        return loss;
    }

    @Test
    void aStepAllocatesNothingAfterTheFirst() {
        Rng rng = new Rng(5);
        INDArray x = rng.rand(2, 3, 8, 8).muli(2).subi(1);
        try (VaeNetwork net = vae().network(Kernels.get())) {
            step(net, x, rng);
            long after1 = net.arena().allocations();
            double g1 = net.gradients().flat().norm2Number().doubleValue();
            step(net, x, rng);
            step(net, x, rng);
            assertEquals(after1, net.arena().allocations(), "arena allocations after warm-up");
            double g3 = net.gradients().flat().norm2Number().doubleValue();
            assertTrue(g1 > 0 && g3 > g1, "gradients accumulate: " + g1 + " then " + g3);
            net.gradients().zero();
            assertEquals(0.0, net.gradients().flat().norm2Number().doubleValue());
        }
    }

    @Test
    void backwardWithoutATrainingForwardIsRefused() {
        try (VaeNetwork net = vae().network(Kernels.get())) {
            INDArray x = new Rng(1).randn(1, 3, 8, 8);
            VaeNetwork.Output out = net.forward(x, null, DropoutNoise.NONE, false);
            assertNotEquals(null, out.decoded());
            assertThrows(IllegalStateException.class, () -> net.backward(out.decoded().dup(), null, null, false));
        }
    }

    @Test
    void imagesOfTheWrongWidthAreRejectedNamingTheShape() {
        try (VaeNetwork net = vae().network(Kernels.get())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.encode(new Rng(1).randn(1, 2, 8, 8)));
            assertTrue(e.getMessage().contains("[1, 2, 8, 8]"), e.getMessage());
        }
    }
}
