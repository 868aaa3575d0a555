package org.diffusionlabs.models.adm;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/** The resampling of an ADM res block: none, 2×2 average pooling (down), or nearest-neighbour ×2 (up). */
public enum Resample {
    NONE, DOWN, UP;

    SDVariable apply(SameDiff sd, SDVariable x) {
        return switch (this) {
            case NONE -> x;
            case DOWN -> sd.cnn().avgPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0)
                    .dH(1).dW(1).paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.AVG).isNHWC(false).build());
            case UP -> sd.cnn().upsampling2d(x, 2, 2, true);
        };
    }
}
