package org.diffusionlabs.schedules;

import org.diffusionlabs.samplers.EvalSteps;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.ScheduleTolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every coefficient of every beta schedule against the PyTorch reference's golden/schedules.json, float64. */
class ScheduleGoldenTest {
    private static final double RTOL = ScheduleTolerance.RTOL;
    private static final Golden GOLDEN = Golden.load("schedules.json");

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"linear,1000", "linear,50", "cosine,1000", "cosine,50", "quadratic,1000", "quadratic,50",
            "sigmoid,1000", "sigmoid,50"})
    void everyCoefficientMatches(String beta, int steps) {
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.parse(beta), steps);
        Golden g = GOLDEN.at("schedules/" + beta + "_" + steps);
        assertEquals(steps, s.steps());
        for (Coefficient c : Coefficient.values()) {
            Approx.assertClose(g.doubles("properties/" + c.referenceName()), s.values(c), ScheduleTolerance.relative(beta, steps), 0,
                    beta + steps + " " + c);
        }
    }

    @Test
    void tutorialStridedEvalScheduleMatches() {
        Golden g = GOLDEN.at("ddpm_strided_eval_tutorial");
        EvalSteps eval = EvalSteps.linspace(1000, 250);
        assertArrayEquals(g.longs("eval_steps"), eval.steps());
        assertArrayEquals(g.longs("eval_steps_map"), eval.map());
        DiscreteGaussianSchedule respaced = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000).respace(eval.steps());
        for (Coefficient c : Coefficient.values()) {
            Approx.assertClose(g.doubles("eval_schedule_properties/" + c.referenceName()), respaced.values(c), RTOL, 0,
                    "respaced " + c);
        }
    }

    @Test
    void fractionalTimestepsInterpolate() {
        Golden g = GOLDEN.at("fractional_t_lookup");
        DiscreteGaussianSchedule s = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        double[] t = g.doubles("t");
        for (Coefficient c : new Coefficient[] {Coefficient.ALPHAS_CUMPROD, Coefficient.SQRT_ALPHAS_CUMPROD,
                Coefficient.LOWER_POSTERIOR_LOG_VARIANCE, Coefficient.POSTERIOR_MEAN_X0_COEF}) {
            double[] got = s.coefficient(c, Nd4j.createFromArray(t), 4).data().asDouble();
            Approx.assertClose(g.doubles("values/" + c.referenceName()), got, RTOL, 0, "fractional " + c);
        }
    }
}
