package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout with a mask given per step (0/1 values scaled by 1/(1 − p) already, as
 * {@code models.adm.DropoutMasks} draws them): y = x·mask, dx = dy·mask, both in place.
 */
public final class Dropout {
    private final Kernels kernels;
    private INDArray mask;

    public Dropout(Kernels kernels) {
        this.kernels = kernels;
    }

    /** Multiplies {@code h} by {@code mask} in place (no-op for a null mask); keeps the mask for backward. */
    public INDArray forward(INDArray h, INDArray mask) {
        this.mask = mask;
        if (mask != null) {
            kernels.dropout(h, mask, 0.0, h);
        }
        return h;
    }

    public INDArray backward(INDArray dh) {
        if (mask != null) {
            kernels.dropout(dh, mask, 0.0, dh);
        }
        mask = null;
        return dh;
    }
}
