package org.diffusionlabs.spark;

import java.util.Locale;

/**
 * What a DataFrame transform does with a row it cannot process (a null, an undecodable image, a wrong size, a
 * non-finite value): fail the task naming the row ({@code error}), drop the row ({@code skip}) or keep it with null
 * outputs ({@code keep}). Skipped and kept rows are counted in the transform's accumulator.
 */
public enum HandleInvalid {
    ERROR, SKIP, KEEP;

    /** {@code error}, {@code skip} or {@code keep} (any case). */
    public static HandleInvalid parse(String s) {
        if (s != null) {
            for (HandleInvalid h : values()) {
                if (h.name().equals(s.toUpperCase(Locale.ROOT))) {
                    return h;
                }
            }
        }
        throw new IllegalArgumentException("parameter handleInvalid given invalid value " + s
                + ": must be error, skip or keep");
    }
}
