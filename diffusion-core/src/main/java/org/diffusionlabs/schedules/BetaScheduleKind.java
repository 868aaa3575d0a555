package org.diffusionlabs.schedules;

import java.util.Arrays;
import java.util.Locale;

/** The four beta schedules of the reference, each with its default arguments. */
public enum BetaScheduleKind {
    LINEAR, COSINE, QUADRATIC, SIGMOID;

    /** Betas of this kind for {@code steps} steps with the reference defaults. */
    public double[] betas(int steps) {
        return switch (this) {
            case LINEAR -> BetaSchedules.linear(steps);
            case COSINE -> BetaSchedules.cosine(steps);
            case QUADRATIC -> BetaSchedules.quadratic(steps);
            case SIGMOID -> BetaSchedules.sigmoid(steps);
        };
    }

    /** Parses "linear", "cosine", "quadratic" or "sigmoid" (case-insensitive), naming the choices on error. */
    public static BetaScheduleKind parse(String name) {
        for (BetaScheduleKind k : values()) {
            if (k.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("beta schedule parameter beta given invalid value " + name + ": must be one of "
                + Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
}
