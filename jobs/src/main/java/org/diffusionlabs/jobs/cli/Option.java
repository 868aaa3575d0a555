package org.diffusionlabs.jobs.cli;

import java.util.Objects;

/**
 * One declared {@code --name} option of a command: either a flag (no value) or an option taking one value,
 * shown as {@code valueName} in the usage text.
 *
 * @param name      the name without the leading dashes
 * @param valueName placeholder of the value in the usage text (e.g. "N"), or null for a flag
 * @param help      one-line description for the usage text
 * @param repeatable whether the option may be given several times (values collected in order)
 */
public record Option(String name, String valueName, String help, boolean repeatable) {
    public Option {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
    }

    /** An option taking a value. */
    public static Option valued(String name, String valueName, String help) {
        return new Option(name, Objects.requireNonNull(valueName, "valueName"), help, false);
    }

    /** An option taking a value that may be given several times. */
    public static Option repeated(String name, String valueName, String help) {
        return new Option(name, Objects.requireNonNull(valueName, "valueName"), help, true);
    }

    /** A boolean flag. */
    public static Option flag(String name, String help) {
        return new Option(name, null, help, false);
    }

    public boolean isFlag() {
        return valueName == null;
    }

    /** "--name" or "--name VALUE". */
    public String display() {
        return isFlag() ? "--" + name : "--" + name + " " + valueName + (repeatable ? " ..." : "");
    }
}
