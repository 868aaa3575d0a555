package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link Inpainting}: input layout [x, target·mask, mask], zeros when absent, conditioning passed through. */
class InpaintingTest {
    private static INDArray channels(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
    }

    @Test
    void inputIsXThenMaskedTargetThenMaskAndTheConditioningIsForwarded() {
        RecordingModel inner = new RecordingModel();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        INDArray target = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        INDArray mask = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4).gt(0.5).castTo(DataType.FLOAT);
        INDArray t = Nd4j.createFromArray(1L, 2L);
        Conditioning c = Conditioning.of("mask", mask).with("target", target).with("digit", Nd4j.ones(2, 5));
        new Inpainting(inner).predict(x, t, c);
        assertArrayEquals(new long[] {2, 7, 4, 4}, inner.lastX.shape());
        assertEquals(x, channels(inner.lastX, 0, 3));
        assertEquals(target.mul(mask.broadcast(target.shape())), channels(inner.lastX, 3, 6));
        assertEquals(mask, channels(inner.lastX, 6, 7));
        assertSame(c, inner.lastC);
        assertSame(t, inner.lastT);
    }

    @Test
    void zerosWhenTargetOrMaskIsAbsent() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        for (Conditioning c : new Conditioning[] {Conditioning.none(),
                Conditioning.of("target", Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4)),
                Conditioning.of("mask", Nd4j.ones(DataType.FLOAT, 2, 1, 4, 4))}) {
            RecordingModel inner = new RecordingModel();
            new Inpainting(inner).predict(x, Nd4j.ones(DataType.FLOAT, 2), c);
            assertArrayEquals(new long[] {2, 7, 4, 4}, inner.lastX.shape());
            assertEquals(x, channels(inner.lastX, 0, 3));
            assertEquals(0.0, channels(inner.lastX, 3, 7).amaxNumber().doubleValue());
            assertSame(c, inner.lastC);
        }
    }

    @Test
    void configurableFieldNamesAndStacking() {
        RecordingModel inner = new RecordingModel();
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 1, 2, 2);
        INDArray known = Nd4j.valueArrayOf(new long[] {1, 1, 2, 2}, 3f);
        INDArray m = Nd4j.createFromArray(new float[] {1, 0, 0, 1}).reshape(1, 1, 2, 2);
        Conditioning c = Conditioning.of("m", m).with("known", known).with("low_res", Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2));
        // SuperResolution(Inpainting(model)): [x, low_res] (2 channels), then the inpainting channels of that input,
        // which are zeros because SuperResolution drops the conditioning: 2 + 2 + 1 channels.
        new SuperResolution(new Inpainting(inner, "m", "known")).predict(x, Nd4j.ones(DataType.FLOAT, 1), c);
        assertArrayEquals(new long[] {1, 5, 2, 2}, inner.lastX.shape());
        assertEquals(Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2), channels(inner.lastX, 1, 2));
        assertEquals(0.0, channels(inner.lastX, 2, 5).amaxNumber().doubleValue());
        // Inpainting(SuperResolution(model)): [x, known·m, m] (3 channels); low_res [1,1,2,2] differs from that
        // shape, so it is "resized" to the same 2x2 (identity) and appended: 4 channels.
        new Inpainting(new SuperResolution(inner), "m", "known").predict(x, Nd4j.ones(DataType.FLOAT, 1), c);
        assertArrayEquals(new long[] {1, 4, 2, 2}, inner.lastX.shape());
        assertEquals(known.mul(m), channels(inner.lastX, 1, 2));
        assertEquals(m, channels(inner.lastX, 2, 3));
        assertEquals(Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2), channels(inner.lastX, 3, 4));
    }
}
