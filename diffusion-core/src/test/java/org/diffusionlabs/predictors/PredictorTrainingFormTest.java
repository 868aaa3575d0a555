package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.transforms.Batch;
import org.diffusionlabs.transforms.ComputeV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each predictor is the one home of its prediction type: its training target is what {@link Predictor#predictX0}
 * inverts, and its {@link X0Form} (what training graphs evaluate) agrees with {@code predictX0}.
 */
class PredictorTrainingFormTest {
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, 1000);

    private static INDArray[] data() {
        Rng rng = new Rng(11);
        INDArray x0 = SCHEDULE.sampleNoise(Nd4j.zeros(DataType.FLOAT, 3, 2, 4, 4), rng);
        x0 = Transforms.tanh(x0, false);
        INDArray noise = SCHEDULE.sampleNoise(x0, rng);
        INDArray t = SCHEDULE.sampleSteps(x0, rng);
        return new INDArray[] {x0, noise, t, SCHEDULE.qSample(x0, noise, t)};
    }

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void theTrainingTargetIsWhatPredictX0Inverts(PredictionType type) {
        INDArray[] d = data();
        Predictor p = type.create(SCHEDULE, Predictor.noClamp());
        INDArray target = p.trainingTarget(d[0], d[1], d[2]);
        assertEquals(DataType.FLOAT, target.dataType());
        float[] want = d[0].reshape(d[0].length()).toFloatVector();
        float[] got = p.predictX0(target, d[3], d[2]).reshape(d[0].length()).toFloatVector();
        assertArrayEquals(want, got, 2e-4f, type + ": predictX0(trainingTarget) must give back x0");
    }

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void theX0FormAgreesWithPredictX0(PredictionType type) {
        INDArray[] d = data();
        Predictor p = type.create(SCHEDULE, Predictor.noClamp());
        INDArray prediction = d[1].mul(0.7f).addi(0.1f);
        X0Form form = p.x0Form(d[2], 4);
        INDArray viaForm = d[3].castTo(DataType.DOUBLE).mul(form.xtCoef())
                .subi(prediction.castTo(DataType.DOUBLE).mul(form.predictionCoef())).castTo(DataType.FLOAT);
        assertArrayEquals(p.predictX0(prediction, d[3], d[2]).reshape(prediction.length()).toFloatVector(),
                viaForm.reshape(prediction.length()).toFloatVector(), 0f, type + ": the x0 form differs from predictX0");
    }

    @Test
    void theVTargetIsBitForBitTheReferenceTransform() {
        INDArray[] d = data();
        INDArray v = new ComputeV(SCHEDULE).apply(Batch.of("x", d[0]).with("t", d[2]).with("noise", d[1]), null).get("v");
        assertArrayEquals(v.reshape(v.length()).toFloatVector(),
                new VPredictor(SCHEDULE).trainingTarget(d[0], d[1], d[2]).reshape(v.length()).toFloatVector(), 0f);
    }
}
