package org.diffusionlabs.losses;

import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.schedules.BetaSchedules;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad shapes, types and arguments raise IllegalArgumentException naming the parameter (the reference never raises). */
class LossValidationTest {
    private final DiscreteGaussianSchedule schedule = new DiscreteGaussianSchedule(BetaSchedules.linear(1000));
    private final VlbLoss vlb = new VlbLoss(schedule);
    private final INDArray a = zeros(2, 1, 4, 4);
    private final INDArray other = zeros(2, 1, 4, 3);
    private final INDArray t = Nd4j.createFromArray(0L, 3L);

    @Test
    void vlbRejectsMismatchedTensors() {
        rejects(() -> vlb.loss(a, other, a, a, t), "predLogVar", "[2, 1, 4, 3]", "[2, 1, 4, 4]");
        rejects(() -> vlb.loss(a, a, other, a, t), "x0", "[2, 1, 4, 3]", "[2, 1, 4, 4]");
        rejects(() -> vlb.loss(a, a, a, other, t), "xt", "[2, 1, 4, 3]", "[2, 1, 4, 4]");
        rejects(() -> vlb.perSampleTerms(a, a, a, a.castTo(DataType.DOUBLE), t), "xt", "DOUBLE", "FLOAT");
    }

    @Test
    void vlbRejectsBadTimesteps() {
        rejects(() -> vlb.loss(a, a, a, a, Nd4j.createFromArray(0L, 1L, 2L)), "parameter t", "[3]", "[2]");
        rejects(() -> vlb.loss(a, a, a, a, Nd4j.createFromArray(new long[][] {{0, 1}})), "parameter t", "[1, 2]");
        rejects(() -> vlb.loss(a, a, a, a, null), "parameter t");
    }

    @Test
    void vlbRejectsNullAndNonFloatingData() {
        rejects(() -> vlb.loss(null, a, a, a, t), "predMean");
        rejects(() -> vlb.loss(zeros(2, 1, 4, 4).castTo(DataType.INT), a, a, a, t), "predMean", "INT");
        rejects(() -> new VlbLoss(null), "schedule");
    }

    @Test
    void staticHelpersRejectMismatchedShapes() {
        rejects(() -> VlbLoss.discretizedGaussianLogLikelihood(a, other, a), "mean", "[2, 1, 4, 3]");
        rejects(() -> VlbLoss.discretizedGaussianLogLikelihood(a, a, other), "logScale", "[2, 1, 4, 3]");
        rejects(() -> VlbLoss.normalKl(a, a, a, other), "lv2", "[2, 1, 4, 3]");
        rejects(() -> VlbLoss.normalKl(a, other, a, a), "lv1", "[2, 1, 4, 3]");
        rejects(() -> VlbLoss.approxStandardNormalCdf(Nd4j.scalar(1f)), "parameter x", "batch dimension");
    }

    @Test
    void mseRejectsMismatchedShapes() {
        rejects(() -> new MseLoss().loss(a, other), "MseLoss", "target", "[2, 1, 4, 3]", "[2, 1, 4, 4]");
    }

    @Test
    void hybridRejectsBadArguments() {
        HybridLoss hybrid = new HybridLoss(schedule);
        rejects(() -> hybrid.loss(a, other, a, a, a, a, t), "HybridLoss", "target", "[2, 1, 4, 3]");
        rejects(() -> hybrid.loss(a, a, a, other, a, a, t), "VlbLoss", "predLogVar", "[2, 1, 4, 3]");
        rejects(() -> hybrid.loss(a, a, a, a, a, a, Nd4j.createFromArray(0L)), "parameter t", "[1]");
        rejects(() -> hybrid.loss(DiffusionOutput.of(a), a, a, a, t), "output", "posterior mean");
        rejects(() -> new HybridLoss(schedule, -0.1), "lambda");
        rejects(() -> new HybridLoss(schedule, Double.NaN), "lambda");
        rejects(() -> new HybridLoss(schedule, null, 0.001), "simpleLoss");
    }

    private static INDArray zeros(long... shape) {
        return Nd4j.zeros(DataType.FLOAT, shape);
    }

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }
}
