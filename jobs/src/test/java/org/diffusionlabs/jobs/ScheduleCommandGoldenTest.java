package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.diffusionlabs.testing.ScheduleTolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code diffusion schedule --json} against the PyTorch reference (golden schedules.json): every coefficient of
 * every beta schedule at 1000 and 50 steps, and the tutorial's strided 250-of-1000 eval schedule, at 1e-12
 * relative (exact zeros exact).
 */
class ScheduleCommandGoldenTest {
    private static final double RTOL = ScheduleTolerance.RTOL;
    private static final Golden GOLDEN = Golden.load("schedules.json");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"linear,1000", "linear,50", "cosine,1000", "cosine,50", "quadratic,1000", "quadratic,50",
        "sigmoid,1000", "sigmoid,50"})
    void everyCoefficientMatchesTheReference(String beta, int steps) {
        Cli.Result r = Cli.run("schedule", "--beta", beta, "--steps", String.valueOf(steps), "--json");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), "stderr");
        JsonNode json = r.json();
        assertEquals(expectedKeys(false), fieldNames(json));
        assertEquals(beta, json.get("beta").asText());
        assertEquals(steps, json.get("steps").asInt());
        String base = "schedules/" + beta + "_" + steps + "/properties/";
        for (Coefficient c : Coefficient.values()) {
            String name = c.referenceName();
            double rtol = ScheduleTolerance.relative(beta, steps);
            Approx.assertClose(GOLDEN.doubles(base + name), Cli.doubles(json.get(name)), rtol, 0, beta + "_" + steps + " " + name);
        }
    }

    @Test
    void tutorialStridedEvalScheduleMatchesTheReference() {
        Cli.Result r = Cli.run("schedule", "--beta", "linear", "--steps", "1000", "--respace", "250", "--json");
        assertEquals(0, r.code(), r::toString);
        JsonNode json = r.json();
        assertEquals(expectedKeys(true), fieldNames(json));
        assertEquals(250, json.get("respace").asInt());
        String base = "ddpm_strided_eval_tutorial/";
        assertArrayEquals(GOLDEN.longs(base + "eval_steps"), Cli.longs(json.get("eval_steps")), "eval_steps");
        assertArrayEquals(GOLDEN.longs(base + "eval_steps_map"), Cli.longs(json.get("eval_steps_map")), "eval_steps_map");
        for (Coefficient c : Coefficient.values()) {
            String name = c.referenceName();
            double[] actual = Cli.doubles(json.get(name));
            assertEquals(250, actual.length, name);
            Approx.assertClose(GOLDEN.doubles(base + "eval_schedule_properties/" + name), actual, RTOL, 0, "eval " + name);
        }
    }

    @Test
    void jsonIsOneObjectOnOneLine() {
        Cli.Result r = Cli.run("schedule", "--beta=cosine", "--steps=50", "--json");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("{") && r.out().endsWith("}" + System.lineSeparator()), r.out());
        assertEquals(1, r.out().lines().count());
    }

    @Test
    void humanSummaryNamesTheScheduleAndItsEnds() {
        Cli.Result r = Cli.run("schedule", "--beta", "linear", "--steps", "1000", "--respace", "250");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("linear, 1000 steps"), r.out());
        assertTrue(r.out().contains("250 eval steps: 0, 4, 8, ..., 999"), r.out());
        assertTrue(r.out().contains("beta first     1.000000e-04"), r.out());
        assertTrue(r.out().contains("beta last"), r.out());
        assertTrue(r.out().contains("alphabar_T"), r.out());
        assertEquals("", r.err());
    }

    private static List<String> expectedKeys(boolean respaced) {
        List<String> keys = new ArrayList<>(List.of("beta", "steps"));
        if (respaced) {
            keys.addAll(List.of("respace", "eval_steps", "eval_steps_map"));
        }
        for (Coefficient c : Coefficient.values()) {
            keys.add(c.referenceName());
        }
        return keys;
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
