package org.diffusionlabs.jobs;

import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.TargetPredictor;
import org.diffusionlabs.predictors.VPredictor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipe's prediction type (and the predictor samplers get) and gradient-accumulation setting. */
class TrainRecipeTest {
    private static TrainRecipe recipe(String... overrides) {
        return new TrainRecipe(JobConfigs.load("mnist.conf", null, List.of(overrides)));
    }

    @Test
    void eachPredictionTypeGetsItsPredictor() {
        assertEquals(PredictionType.V, recipe().prediction, "the default configuration predicts v");
        assertInstanceOf(NoisePredictor.class, recipe("diffusion.prediction=noise").predictor());
        assertInstanceOf(TargetPredictor.class, recipe("diffusion.prediction=target").predictor());
        TrainRecipe v = recipe("diffusion.prediction=v");
        assertEquals(PredictionType.V, v.prediction);
        assertInstanceOf(VPredictor.class, v.predictor());
        assertEquals(v.schedule, v.predictor().schedule());
    }

    @Test
    void otherPredictionsAreRejectedNamingTheKey() {
        for (String bad : List.of("velocity", "x0", "\"\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> recipe("diffusion.prediction=" + bad));
            assertTrue(e.getMessage().contains("diffusion.prediction") && e.getMessage().contains("noise, target or v"),
                    e.getMessage());
        }
    }

    @Test
    void gradientAccumulationDefaultsToTwoAndMustBePositive() {
        assertEquals(2, recipe().gradAccum, "the default step: two micro-batches of 32");
        assertEquals(4, recipe("train.grad_accum=4").gradAccum);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> recipe("train.grad_accum=0", "train.threads=1"));
        assertTrue(e.getMessage().contains("train.grad_accum"), e.getMessage());
    }

    @Test
    void threadsDefaultToTwoAndRunAtMostTheMicroBatches() {
        assertEquals(2, recipe().threads, "the default layout: two single-threaded streams");
        assertEquals(1, recipe("train.grad_accum=1", "train.threads=1").threads);
        assertEquals(2, recipe("train.grad_accum=2", "train.threads=2").threads);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> recipe("train.grad_accum=2", "train.threads=3"));
        assertTrue(e.getMessage().contains("train.threads (3)") && e.getMessage().contains("train.grad_accum (2)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> recipe("train.threads=0"));
    }
}
