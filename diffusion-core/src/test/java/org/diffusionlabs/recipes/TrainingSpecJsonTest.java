package org.diffusionlabs.recipes;

import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainingSpec#json()} and {@link TrainingSpec#fromJson}: every spec reads back equal, the JSON is the one
 * earlier versions wrote (by Jackson's reflection; a file of commit 3d7e525 reads back and is rewritten byte for
 * byte), and a bad file fails naming the field and value.
 */
class TrainingSpecJsonTest {
    private static AdmUNetConfig unet() {
        return AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 0, 1).withDropout(0.1);
    }

    /** The spec of the fixture (the spark module's SparkFixtures.adamW(4, 1, 10)). */
    private static TrainingSpec fixtureSpec() {
        return new TrainingSpec(new ModelSpec(unet(), BetaScheduleKind.LINEAR, 100, PredictionType.NOISE,
                TrainingGraph.Loss.HYBRID, 0.001, 0.3, 2.0, 10),
                new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 0.9, 0.999, 1e-8, 0.01, 1.0),
                new LearningRateSchedule(1e-3, 2, LearningRateSchedule.Decay.COSINE, 10, 0.1),
                new TrainingSpec.EmaSpec(0.9, true), 4, 1, 7);
    }

    private static String legacy() throws IOException {
        try (InputStream in = TrainingSpecJsonTest.class.getResourceAsStream("/fixtures/training-spec-3d7e525.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everySpecReadsBackEqual() {
        TrainingSpec a = fixtureSpec();
        AdmUNetConfig wide = new AdmUNetConfig(new int[] {32, 64, 96}, 2, 2, new boolean[] {false, true, true}, 64, 0,
                16, "context", 3, 3, 0, false, 0.0);
        List<TrainingSpec> specs = List.of(a,
                new TrainingSpec(new ModelSpec(wide, BetaScheduleKind.SIGMOID, 1000, PredictionType.V,
                        TrainingGraph.Loss.MSE, 0, 0.1, -1.5, 0), OptimizerSpec.sgd(),
                        LearningRateSchedule.constant(0.05), null, 1, 3, Long.MIN_VALUE, 3),
                new TrainingSpec(a.model(), OptimizerSpec.adamW(),
                        new LearningRateSchedule(2e-4, 0, LearningRateSchedule.Decay.LINEAR, 1L << 40, 0), null, 64,
                        2, -1, 2));
        for (TrainingSpec s : specs) {
            assertEquals(s, TrainingSpec.fromJson(s.json()), s.json());
        }
    }

    @Test
    void theJsonOfEarlierVersionsReadsBackAndIsWrittenTheSame() throws IOException {
        assertEquals(fixtureSpec(), TrainingSpec.fromJson(legacy()));
        assertEquals(legacy(), fixtureSpec().json());
    }

    @Test
    void badFilesNameTheFieldAndValue() throws IOException {
        String ok = legacy();
        assertMessage(ok.replace("\"numResize\" : 0", "\"numResize\" : \"zero\""), "model.unet.numResize", "zero",
                "integer");
        assertMessage(ok.replace("\"batch\" : 4,", ""), "batch", "missing");
        assertMessage(ok.replace("\"batch\" : 4", "\"batch\" : 4.5"), "batch", "4.5");
        assertMessage(ok.replace("\"LINEAR\"", "\"LINEARR\""), "model.beta", "LINEARR");
        assertMessage(ok.replace("\"seed\" : 7", "\"seed\" : 7, \"@class\" : \"java.lang.ProcessBuilder\""),
                "unknown", "@class");
        assertMessage(ok.replace("\"batch\" : 4", "\"batch\" : -4"), "batch", "-4");
        assertMessage(ok.replace("\"classes\" : 10", "\"classes\" : 99999999999"), "model.classes", "99999999999");
        assertMessage("[1, 2]", "JSON object");
        assertMessage("{\"model\": ", "not valid JSON");
        assertMessage("\u00ac\u00ed\u0000\u0005ur\u0000\u0002[I", "not valid JSON");
    }

    @Test
    void arraysAreBoundedBeforeTheyAreAllocated() throws IOException {
        StringBuilder huge = new StringBuilder("[ 32");
        for (int i = 0; i < 100; i++) {
            huge.append(", 32");
        }
        String json = legacy().replace("[ 32 ]", huge.append(" ]"));
        assertMessage(json, "model.unet.channelsPerLayer", "101 elements", "at most 64");
    }

    private static void assertMessage(String json, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSpec.fromJson(json));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }
}
