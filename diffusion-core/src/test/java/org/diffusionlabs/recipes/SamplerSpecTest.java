package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.samplers.DdimSampler;
import org.diffusionlabs.samplers.DdpmSampler;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SamplerSpec}: the kind and step count of the sampler it builds, and each rejected value. */
class SamplerSpecTest {
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 100);
    private static final Predictor PREDICTOR = new NoisePredictor(SCHEDULE, Predictor.clampTo(-1, 1));
    private static final ClassifierFreeGuidance MODEL = ClassifierFreeGuidance.builder(
            (xt, t, c) -> DiffusionOutput.of(xt)).addCondition("digit", 4).optInitRng(new Rng(1)).build();

    private static Sampler build(String kind, int steps) {
        return SamplerSpec.of(kind, steps, 0.0, 2.0).build(MODEL, SCHEDULE, PREDICTOR);
    }

    @Test
    void ddimMakesStepsUpdatesAndDdpmStepsSteps() {
        assertInstanceOf(DdimSampler.class, build("ddim", 10));
        assertInstanceOf(DdpmSampler.class, build("DDPM", 10));
        assertEquals(build("ddpm", 10).numSteps(), build("ddim", 10).numSteps());
    }

    @Test
    void stepsAreCappedAtTheTrainingSteps() {
        assertEquals(100, build("ddpm", 5000).numSteps());
    }

    @Test
    void rejectsAnUnknownKind() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build("euler", 10));
        assertTrue(e.getMessage().contains("kind given invalid value euler"), e.getMessage());
    }

    @Test
    void rejectsNonPositiveSteps() {
        assertThrows(IllegalArgumentException.class, () -> SamplerSpec.of("ddim", 0, 0.0, 1.0));
    }

    @Test
    void rejectsANegativeEta() {
        assertThrows(IllegalArgumentException.class, () -> SamplerSpec.of("ddim", 10, -0.1, 1.0));
    }

    @Test
    void rejectsANonFiniteGuidance() {
        assertThrows(IllegalArgumentException.class, () -> SamplerSpec.of("ddim", 10, 0.0, Double.NaN));
    }
}
