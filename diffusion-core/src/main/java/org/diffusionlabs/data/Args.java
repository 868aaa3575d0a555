package org.diffusionlabs.data;

import java.util.Arrays;

/**
 * Argument checks of this package, with the message template of {@code nd.Checks}
 * ("{owner} parameter {name} given invalid value {value}: {why}"). Kept local until the architecture table
 * allows {@code data} to depend on {@code nd}.
 */
final class Args {
    private Args() {}

    static void require(boolean ok, String owner, String name, Object value, String why) {
        if (!ok) {
            String shown = value instanceof int[] i ? Arrays.toString(i)
                    : value instanceof long[] l ? Arrays.toString(l) : String.valueOf(value);
            throw new IllegalArgumentException(owner + " parameter " + name + " given invalid value " + shown + ": " + why);
        }
    }

    static <T> T notNull(T value, String owner, String name) {
        if (value == null) {
            throw new IllegalArgumentException(owner + " parameter " + name + " must not be null");
        }
        return value;
    }
}
