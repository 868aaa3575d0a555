package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;

/**
 * The four top-level stages of {@code ldm_variational_autoencoder}, built in the reference's construction order (so
 * a seed draws the reference's initial weights): {@code encoder.resnet_encoder} (double z), {@code encoder.quant_conv}
 * 1×1 2z → 2E, {@code decoder.post_quant_conv} 1×1 E → z, {@code decoder.resnet_decoder}.
 */
record VaeStages(ResNetEncoder encoder, ConvLayer quantConv, ConvLayer postQuantConv, ResNetDecoder decoder) {
    static VaeStages build(Parameters p, VaeConfig c) {
        ResNetEncoder encoder = new ResNetEncoder(p, "encoder.resnet_encoder", c, true);
        ConvLayer quant = new ConvLayer(p, "encoder.quant_conv", 2L * c.zChannels(), 2L * c.embeddingChannels(), 1);
        ConvLayer postQuant = new ConvLayer(p, "decoder.post_quant_conv", c.embeddingChannels(), c.zChannels(), 1);
        ResNetDecoder decoder = new ResNetDecoder(p, "decoder.resnet_decoder", c);
        return new VaeStages(encoder, quant, postQuant, decoder);
    }

    void bind(GradientBuffer g, Kernels kernels) {
        encoder.bind(g, kernels);
        quantConv.bind(g, kernels);
        postQuantConv.bind(g, kernels);
        decoder.bind(g, kernels);
    }
}
