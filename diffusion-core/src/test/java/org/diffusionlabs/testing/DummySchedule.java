package org.diffusionlabs.testing;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The reference tests' DummySchedule: steps/noise/q_sample return their input, every coefficient is 1. */
public final class DummySchedule implements Schedule {
    @Override
    public int steps() {
        return 1;
    }

    @Override
    public INDArray sampleNoise(INDArray like, Rng rng) {
        return like;
    }

    @Override
    public INDArray sampleSteps(INDArray like, Rng rng) {
        return like;
    }

    @Override
    public INDArray qSample(INDArray x0, INDArray noise, INDArray t) {
        return x0;
    }

    @Override
    public INDArray coefficient(Coefficient c, INDArray t, int rank) {
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 1);
        shape[0] = Math.max(1, t.length());
        return Nd4j.ones(DataType.DOUBLE, shape);
    }
}
