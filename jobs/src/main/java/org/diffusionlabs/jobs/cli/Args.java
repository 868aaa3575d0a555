package org.diffusionlabs.jobs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The parsed options of one command line: {@code --key value}, {@code --key=value} and boolean flags, checked
 * against the command's declared {@link Option}s. A small own parser (instead of a library) so that every error
 * names the offending option and value in the same style and maps to exit code 2.
 */
public final class Args {
    /** The option every command understands. */
    public static final Option HELP = Option.flag("help", "print this help and exit");

    private final Map<String, String> values;
    private final Map<String, List<String>> repeated;

    private Args(Map<String, String> values, Map<String, List<String>> repeated) {
        this.values = values;
        this.repeated = repeated;
    }

    /** True when {@code --help} (or {@code -h}) appears anywhere: help wins over every other error. */
    public static boolean wantsHelp(List<String> argv) {
        return argv.contains("--" + HELP.name()) || argv.contains("-h");
    }

    /** Parses {@code argv} against the declared options; flags get the value "true". */
    public static Args parse(List<String> argv, List<Option> options) throws UsageException {
        Map<String, Option> byName = new LinkedHashMap<>();
        options.forEach(o -> byName.put(o.name(), o));
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        for (int i = 0; i < argv.size(); i++) {
            String token = argv.get(i);
            if (!token.startsWith("--") || token.length() == 2) {
                throw new UsageException("unexpected argument '" + token + "' (" + validOptions(options) + ")");
            }
            int eq = token.indexOf('=');
            String name = token.substring(2, eq < 0 ? token.length() : eq);
            Option option = byName.get(name);
            if (option == null) {
                throw new UsageException("unknown option --" + name + " (" + validOptions(options) + ")");
            }
            String value;
            if (option.isFlag()) {
                if (eq >= 0) {
                    throw new UsageException("option --" + name + " takes no value (got '" + token + "')");
                }
                value = "true";
            } else if (eq >= 0) {
                value = token.substring(eq + 1);
            } else if (i + 1 < argv.size() && !argv.get(i + 1).startsWith("--")) {
                value = argv.get(++i);
            } else {
                throw new UsageException("option --" + name + " needs a value (" + option.display() + ")");
            }
            if (!option.isFlag() && value.isEmpty()) {
                throw new UsageException("option --" + name + " needs a value (" + option.display() + ")");
            }
            if (option.repeatable()) {
                repeated.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value);
            } else if (values.put(name, value) != null) {
                throw new UsageException("option --" + name + " given more than once");
            }
        }
        return new Args(values, repeated);
    }

    /** "valid options: --a, --b X, ...". */
    static String validOptions(List<Option> options) {
        return "valid options: " + options.stream().map(Option::display).collect(Collectors.joining(", "));
    }

    /** Every value of a repeatable option, in command-line order (empty when absent). */
    public List<String> all(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The value of a mandatory option. */
    public String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    /** The value of a mandatory integer option. */
    public int requiredInt(String name) throws UsageException {
        return parseInt(name, required(name));
    }

    /** The value of an optional integer option. */
    public Optional<Integer> optionalInt(String name) throws UsageException {
        String v = values.get(name);
        return v == null ? Optional.empty() : Optional.of(parseInt(name, v));
    }

    /** The value of an optional finite floating-point option, or {@code fallback}. */
    public double real(String name, double fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("option --" + name + " needs a finite number, got '" + v + "'");
    }

    private static int parseInt(String name, String v) throws UsageException {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " needs an integer, got '" + v + "'");
        }
    }
}
