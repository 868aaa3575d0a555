package org.diffusionlabs.testing;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.TorchInit;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/** A PyTorch {@code nn.Conv2d(in, out, 3, padding=1)} with default init from an Rng: the reference tests' DummyUNet. */
public final class TorchConv {
    private final INDArray weight;
    private final INDArray bias;

    public TorchConv(Rng rng, int in, int out) {
        this.weight = TorchInit.weight(rng, out, in, 3, 3);
        this.bias = TorchInit.bias(rng, out, TorchInit.fanIn(out, in, 3, 3));
    }

    public INDArray apply(INDArray x) {
        Conv2DConfig cfg = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        return Nd4j.cnn().conv2d(x, weight, bias, cfg);
    }
}
