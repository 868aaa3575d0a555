package org.diffusionlabs.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secrets in what is logged or written next to a run: the value of every key named like a secret (token,
 * secret, password, credential, access key, API key, private key) and the user part of URIs
 * ({@code s3a://AKIA…:secret@bucket}, {@code https://user:pass@host}) become {@value #MASK}. Used for the
 * {@code config.json} of run directories and checkpoints and for messages, so that a run directory shared with
 * someone, or a log pasted into an issue, does not carry the keys that reached its data.
 */
public final class Redaction {
    /** What a secret is replaced by. */
    public static final String MASK = "***";
    private static final String SECRET_WORD = "(?:token|secret|password|passwd|credential|access[._-]?key|api[._-]?key"
            + "|private[._-]?key)";
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*" + SECRET_WORD + ".*");
    /**
     * scheme://userinfo@ : a user up to ':' then a password up to '@' (it may hold '/', as raw AWS secret keys do), or a
     * user alone up to '@' before the first '/'; never across whitespace or quotes.
     */
    private static final Pattern URI_USER = Pattern.compile(
            "(?i)\\b([a-z][a-z0-9+.-]*://)(?:[^/\\s@\"'<>:]*:[^\\s@\"'<>]*|[^/\\s@\"'<>]+)@");
    /** key=value and "key": "value" pairs in free text whose key is named like a secret. */
    private static final Pattern SECRET_PAIR = Pattern.compile("(?i)([\\w.-]*" + SECRET_WORD
            + "[\\w.-]*\"?\\s*(?:=|\"\\s*:)\\s*\"?)([^\\s\"',;&}]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Redaction() {}

    /** True for a key (or the last part of a dotted path) named like a secret. */
    public static boolean secretKey(String key) {
        return key != null && SECRET_KEY.matcher(key).matches();
    }

    /** {@code text} with the user info of every URI, and the values of secret-named {@code key=value} pairs, masked. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String s = URI_USER.matcher(text).replaceAll("$1" + MASK + "@");
        return SECRET_PAIR.matcher(s).replaceAll("$1" + MASK);
    }

    /**
     * A copy of {@code node} in which every secret-named field's value (whatever it holds) is {@value #MASK} and
     * every string has its URIs' user info masked.
     */
    public static JsonNode json(JsonNode node) {
        if (node.isTextual()) {
            return TextNode.valueOf(text(node.textValue()));
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(e -> out.add(json(e)));
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), secretKey(e.getKey()) && !e.getValue().isNull() ? TextNode.valueOf(MASK)
                        : json(e.getValue()));
            }
            return out;
        }
        return node;
    }

    /**
     * A JSON document with its secrets masked ({@link #json}); the text itself when there is nothing to mask (so its
     * formatting is kept), and {@link #text} of it when it is not JSON.
     */
    public static String jsonText(String document) {
        JsonNode tree;
        try {
            tree = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            return text(document);
        }
        if (tree == null || tree.isMissingNode()) {
            return document;
        }
        JsonNode masked = json(tree);
        if (masked.equals(tree)) {
            return document;
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(masked);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("re-writing a parsed JSON tree", e);
        }
    }
}
