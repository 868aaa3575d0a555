package org.diffusionlabs.jobs;

import java.util.Objects;

/**
 * One declared {@code --name} option of a command: either a flag (no value) or an option taking one value,
 * shown as {@code valueName} in the usage text.
 *
 * @param name      the name without the leading dashes
 * @param valueName placeholder of the value in the usage text (e.g. "N"), or null for a flag
 * @param help      one-line description for the usage text
 */
public record Option(String name, String valueName, String help) {
    public Option {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
    }

    /** An option taking a value. */
    public static Option valued(String name, String valueName, String help) {
        return new Option(name, Objects.requireNonNull(valueName, "valueName"), help);
    }

    /** A boolean flag. */
    public static Option flag(String name, String help) {
        return new Option(name, null, help);
    }

    public boolean isFlag() {
        return valueName == null;
    }

    /** "--name" or "--name VALUE". */
    public String display() {
        return isFlag() ? "--" + name : "--" + name + " " + valueName;
    }
}
