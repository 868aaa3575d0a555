package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Strict reading of one JSON object from a file: each field is required with its JSON type (an integer must be an
 * integral number that fits, an enum one of its names), arrays have a maximum length checked before anything is
 * allocated, and unknown fields are refused. Errors are {@link IllegalArgumentException}s naming the file, the
 * field's path and the bad value, so that what a user's file holds is read as data and never guessed at.
 */
public final class JsonFields {
    private static final int SHOWN = 80;
    private final JsonNode node;
    private final String where;
    private final String path;

    private JsonFields(JsonNode node, String where, String path) {
        this.node = node;
        this.where = where;
        this.path = path;
    }

    /** The object {@code node} of {@code where} (a file, named in errors). */
    public static JsonFields of(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must hold a JSON object, got " + shown(node));
        }
        return new JsonFields(node, where, "");
    }

    /** True when the field is present and not null. */
    public boolean has(String name) {
        return node.hasNonNull(name);
    }

    /** The nested object {@code name}. */
    public JsonFields object(String name) {
        JsonNode v = field(name);
        require(v.isObject(), name, v, "must be a JSON object");
        return new JsonFields(v, where, path + name + ".");
    }

    /** The nested object {@code name}, or null when it is absent or null. */
    public JsonFields optionalObject(String name) {
        return has(name) ? object(name) : null;
    }

    public int integer(String name) {
        JsonNode v = field(name);
        require(v.isIntegralNumber() && v.canConvertToInt(), name, v, "must be an integer");
        return v.intValue();
    }

    /** The integer {@code name}, or {@code absent} when the field is missing. */
    public int integer(String name, int absent) {
        return node.has(name) ? integer(name) : absent;
    }

    public long longValue(String name) {
        JsonNode v = field(name);
        require(v.isIntegralNumber() && v.canConvertToLong(), name, v, "must be an integer (64-bit)");
        return v.longValue();
    }

    public double number(String name) {
        JsonNode v = field(name);
        require(v.isNumber(), name, v, "must be a number");
        return v.doubleValue();
    }

    public boolean bool(String name) {
        JsonNode v = field(name);
        require(v.isBoolean(), name, v, "must be true or false");
        return v.booleanValue();
    }

    public String text(String name) {
        JsonNode v = field(name);
        require(v.isTextual(), name, v, "must be a string");
        return v.textValue();
    }

    /** The enum constant named by the string {@code name} (exact name, as {@code Enum.name()} writes it). */
    public <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        String s = text(name);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        throw invalid(name, s, "must be one of " + List.of(type.getEnumConstants()).toString().toUpperCase(Locale.ROOT));
    }

    /** An array of at most {@code maxLength} integers. */
    public int[] intArray(String name, int maxLength) {
        JsonNode v = array(name, maxLength);
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            require(e.isIntegralNumber() && e.canConvertToInt(), name, v, "must hold integers only");
            out[i] = e.intValue();
        }
        return out;
    }

    /** An array of at most {@code maxLength} booleans. */
    public boolean[] boolArray(String name, int maxLength) {
        JsonNode v = array(name, maxLength);
        boolean[] out = new boolean[v.size()];
        for (int i = 0; i < out.length; i++) {
            require(v.get(i).isBoolean(), name, v, "must hold true/false values only");
            out[i] = v.get(i).booleanValue();
        }
        return out;
    }

    /** Refuses any field not in {@code known} (a misspelt or foreign field is never silently ignored). */
    public JsonFields only(String... known) {
        Set<String> allowed = Set.of(known);
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                unknown.add(path + f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + " has unknown field(s) " + unknown + " (known here: "
                    + List.of(known) + ")");
        }
        return this;
    }

    private JsonNode array(String name, int maxLength) {
        JsonNode v = field(name);
        require(v.isArray(), name, v, "must be an array");
        require(v.size() <= maxLength, name, v.size() + " elements", "must have at most " + maxLength);
        return v;
    }

    private JsonNode field(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + " field " + path + name + " is missing");
        }
        return v;
    }

    private void require(boolean ok, String name, Object value, String why) {
        if (!ok) {
            throw invalid(name, value, why);
        }
    }

    private IllegalArgumentException invalid(String name, Object value, String why) {
        return new IllegalArgumentException(where + " field " + path + name + " given invalid value "
                + shown(value) + ": " + why);
    }

    private static String shown(Object value) {
        String s = String.valueOf(value);
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "... (" + s.length() + " characters)";
    }
}
