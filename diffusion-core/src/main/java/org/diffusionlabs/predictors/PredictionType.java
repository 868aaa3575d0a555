package org.diffusionlabs.predictors;

import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** The closed set of predictor kinds, for configuration; {@link #create} resolves it once into a {@link Predictor}. */
public enum PredictionType {
    NOISE, TARGET, V;

    public Predictor create(Schedule schedule, UnaryOperator<INDArray> clamp) {
        return switch (this) {
            case NOISE -> new NoisePredictor(schedule, clamp);
            case TARGET -> new TargetPredictor(schedule, clamp);
            case V -> new VPredictor(schedule, clamp);
        };
    }

    /** Parses "noise", "target" (alias "x0") or "v", case-insensitive. */
    public static PredictionType parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "noise", "epsilon", "eps" -> NOISE;
            case "target", "x0", "sample" -> TARGET;
            case "v", "v_prediction" -> V;
            default -> throw new IllegalArgumentException("predictor parameter prediction given invalid value " + name
                    + ": must be one of " + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        };
    }
}
