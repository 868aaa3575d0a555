package org.diffusionlabs.adapters;

import org.diffusionlabs.nd.Checks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-key condition-drop probabilities of {@link ClassifierFreeGuidance}, port of the reference's
 * {@code CFGuidance._get_prob_dict}: one number for every key, or a map whose key set equals dimCond's. The
 * reference's TypeError for other types is Java's type system here. Stricter than the reference, each probability
 * must lie in [0, 1].
 */
final class Probabilities {
    private static final String OWNER = "ClassifierFreeGuidance";

    private Probabilities() {}

    /** {@code p} for every key of {@code dimCond}, in dimCond order. */
    static Map<String, Double> uniform(Map<String, long[]> dimCond, double p) {
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (String key : dimCond.keySet()) {
            out.put(key, check(key, p));
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code p} checked to have exactly dimCond's keys, returned in dimCond order. */
    static Map<String, Double> perKey(Map<String, long[]> dimCond, Map<String, Double> p) {
        Checks.require(p.keySet().equals(dimCond.keySet()), OWNER, "p", p.keySet(),
                "keys must equal the dimCond keys " + dimCond.keySet());
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (String key : dimCond.keySet()) {
            Double v = p.get(key);
            Checks.require(v != null, OWNER, "p." + key, null, "must not be null");
            out.put(key, check(key, v));
        }
        return Collections.unmodifiableMap(out);
    }

    private static double check(String key, double p) {
        Checks.require(p >= 0.0 && p <= 1.0, OWNER, "p." + key, p, "drop probability must be in [0, 1]");
        return p;
    }
}
