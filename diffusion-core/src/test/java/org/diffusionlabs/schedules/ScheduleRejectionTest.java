package org.diffusionlabs.schedules;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleRejectionTest {
    private final DiscreteGaussianSchedule linear = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    @Test
    void betaOutsideTheOpenUnitIntervalIsRejectedByIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DiscreteGaussianSchedule(new double[] {0.1, 1.0, 0.2}));
        assertTrue(e.getMessage().contains("betas[1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DiscreteGaussianSchedule(new double[] {0.1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new DiscreteGaussianSchedule(new double[] {0.0, 0.1}));
    }

    @Test
    void aSingleStepScheduleIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DiscreteGaussianSchedule(new double[] {0.1}));
        assertThrows(IllegalArgumentException.class, () -> BetaSchedules.linear(1));
    }

    @Test
    void varianceRangeValueOutsideUnitIntervalIsRejected() {
        // The reference builds a ValueError here but never raises it; we raise.
        assertThrows(IllegalArgumentException.class, () -> new DiscreteGaussianSchedule(BetaSchedules.linear(10), 1.5));
    }

    @Test
    void respacingNeedsIncreasingStepsInRange() {
        assertThrows(IllegalArgumentException.class, () -> linear.respace(new long[] {0, 10, 10}));
        assertThrows(IllegalArgumentException.class, () -> linear.respace(new long[] {0, 1000}));
        assertThrows(IllegalArgumentException.class, () -> linear.respace(new long[] {5}));
    }

    @Test
    void timestepsOutsideTheScheduleAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> linear.coefficient(Coefficient.BETAS, Nd4j.createFromArray(1000L), 4));
        assertThrows(IllegalArgumentException.class,
                () -> linear.coefficient(Coefficient.BETAS, Nd4j.createFromArray(-1.0), 4));
        assertThrows(IllegalArgumentException.class,
                () -> linear.coefficient(Coefficient.BETAS, Nd4j.createFromArray(Double.NaN), 4));
    }

    @Test
    void shapeMismatchInQSampleIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> linear.qSample(Nd4j.zeros(2, 1, 4, 4), Nd4j.zeros(2, 1, 4, 5), Nd4j.createFromArray(1L, 2L)));
    }

    @Test
    void unknownBetaNameListsTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BetaScheduleKind.parse("cosin"));
        assertTrue(e.getMessage().contains("cosine"), e.getMessage());
    }
}
