package org.diffusionlabs.nd;

import java.util.Arrays;

/**
 * Argument checks that throw real exceptions (never {@code assert}, which the JVM disables by default).
 * Messages follow one template: "{owner} parameter {name} given invalid value {value}: {why}".
 */
public final class Checks {
    private Checks() {}

    /** Throws {@link IllegalArgumentException} naming the owner, parameter and value when {@code ok} is false. */
    public static void require(boolean ok, String owner, String name, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(message(owner, name, value, why));
        }
    }

    /** The shared message template. */
    public static String message(String owner, String name, Object value, String why) {
        String shown = value instanceof long[] l ? Arrays.toString(l)
                : value instanceof int[] i ? Arrays.toString(i)
                : value instanceof double[] d ? Arrays.toString(d)
                : String.valueOf(value);
        return owner + " parameter " + name + " given invalid value " + shown + ": " + why;
    }

    public static int positive(int value, String owner, String name) {
        require(value > 0, owner, name, value, "must be > 0");
        return value;
    }

    public static double finite(double value, String owner, String name) {
        require(Double.isFinite(value), owner, name, value, "must be finite");
        return value;
    }

    public static double inRange(double value, double lo, double hi, String owner, String name) {
        require(value >= lo && value <= hi, owner, name, value, "must be in [" + lo + ", " + hi + "]");
        return value;
    }

    /** Requires a non-null argument, naming it in the message. */
    public static <T> T notNull(T value, String owner, String name) {
        if (value == null) {
            throw new IllegalArgumentException(owner + " parameter " + name + " must not be null");
        }
        return value;
    }
}
