package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A model that returns its input as prediction and records the arguments it was called with. */
final class RecordingModel implements DenoisingModel {
    INDArray lastX;
    INDArray lastT;
    Conditioning lastC;

    @Override
    public DiffusionOutput predict(INDArray x, INDArray t, Conditioning c) {
        lastX = x;
        lastT = t;
        lastC = c;
        return DiffusionOutput.of(x);
    }
}
