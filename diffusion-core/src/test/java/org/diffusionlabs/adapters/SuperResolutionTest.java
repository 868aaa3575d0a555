package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Interpolation;
import org.diffusionlabs.testing.Approx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port of the reference's {@code tests/diffusion_labs/test_super_resolution.py} (DummyUNet(x, t) = x + t, both
 * parametrised conditions) plus the adapter's documented quirks: zeros when absent, conditioning not forwarded,
 * clamping only for truthy bounds and only after a resize.
 */
class SuperResolutionTest {
    /** The reference's DummyUNet: prediction = x + t (t = ones(1), broadcast). */
    static final DenoisingModel DUMMY_UNET = (x, t, c) -> DiffusionOutput.of(x.add(t.getDouble(0)));

    @ParameterizedTest(name = "cond_{0}")
    @ValueSource(ints = {6, 3})
    void testSuperresForward(int lowResSize) {
        SuperResolution model = new SuperResolution(DUMMY_UNET);
        Conditioning cond = Conditioning.of("low_res", Nd4j.ones(DataType.FLOAT, 1, 1, lowResSize, lowResSize));
        DiffusionOutput out = model.predict(Nd4j.ones(DataType.FLOAT, 1, 1, 6, 6), Nd4j.ones(DataType.FLOAT, 1), cond);
        Approx.assertClose(Nd4j.ones(DataType.FLOAT, 1, 2, 6, 6).muli(2), out.prediction(), 1.3e-6, 1e-5, "prediction");
    }

    @Test
    void absentLowResIsZerosAndTheConditioningIsNotForwarded() {
        RecordingModel inner = new RecordingModel();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        new SuperResolution(inner).predict(x, Nd4j.ones(DataType.FLOAT, 2), Conditioning.of("digit", Nd4j.ones(2, 5)));
        assertEquals(x, inner.lastX.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)));
        assertEquals(0.0, inner.lastX.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).amaxNumber().doubleValue());
        assertTrue(inner.lastC.isEmpty(), "reference quirk: the inner model gets no conditioning");
    }

    @Test
    void smallerLowResIsResizedWithTheConfiguredInterpolation() {
        RecordingModel inner = new RecordingModel();
        INDArray low = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4);
        new SuperResolution(inner).predict(Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 8), Nd4j.ones(DataType.FLOAT, 2),
                Conditioning.of("low_res", low));
        INDArray expected = Interpolation.resize(low, 8, 8, Interpolation.Mode.BICUBIC, true);
        assertEquals(expected, inner.lastX.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).dup());
    }

    @Test
    void clampingOnlyWhenABoundIsTruthyAndOnlyAfterAResize() {
        INDArray small = Nd4j.valueArrayOf(new long[] {1, 1, 3, 3}, -2f);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 1, 6, 6);
        INDArray t = Nd4j.ones(DataType.FLOAT, 1);
        // min 0 and no max: "0 or None" is falsy in Python, so no clamp.
        assertEquals(-1.0, lowResOf(new SuperResolution(DUMMY_UNET, "low_res", true, Interpolation.Mode.BICUBIC, 0.0, null)
                .predict(x, t, Conditioning.of("low_res", small))), 1e-5);
        // min 0, max 0.5: clamps to [0, 0.5].
        assertEquals(1.0, lowResOf(new SuperResolution(DUMMY_UNET, "low_res", true, Interpolation.Mode.BICUBIC, 0.0, 0.5)
                .predict(x, t, Conditioning.of("low_res", small))), 1e-6);
        // Only a max of -3: clamps the upper side only.
        assertEquals(-2.0, lowResOf(new SuperResolution(DUMMY_UNET, "low_res", true, Interpolation.Mode.BICUBIC, null, -3.0)
                .predict(x, t, Conditioning.of("low_res", small))), 1e-6);
        // Same shape as x: no resize, so no clamp either.
        INDArray same = Nd4j.valueArrayOf(new long[] {1, 1, 6, 6}, -2f);
        assertEquals(-1.0, lowResOf(new SuperResolution(DUMMY_UNET, "low_res", true, Interpolation.Mode.BICUBIC, 0.0, 0.5)
                .predict(x, t, Conditioning.of("low_res", same))), 1e-6);
    }

    /** Mean of the low-res channel of the dummy's output (x = 0, t = 1 ⇒ low_res + 1). */
    private static double lowResOf(DiffusionOutput out) {
        return out.prediction().get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)).meanNumber().doubleValue();
    }

    @Test
    void customFieldName() {
        RecordingModel inner = new RecordingModel();
        INDArray low = Nd4j.rand(DataType.FLOAT, 1, 1, 4, 4);
        new SuperResolution(inner, "small", true, Interpolation.Mode.BICUBIC, null, null)
                .predict(Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4), Nd4j.ones(DataType.FLOAT, 1), Conditioning.of("small", low));
        assertEquals(low, inner.lastX.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)).dup());
    }
}
