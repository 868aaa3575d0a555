package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.models.adm.AdmUNetConfig;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the keyword arguments of the reference's {@code adm_unet(...)} factory from JSON, under their reference
 * names and with its defaults for absent keys; an unknown key or a wrongly typed value is an error naming it.
 */
public final class AdmUnetKwargs {
    /** The factory's keyword arguments and their defaults. */
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("time_embed_dim", 512);
        DEFAULTS.put("cond_embed_dim", 2048);
        DEFAULTS.put("embed_dim", 768);
        DEFAULTS.put("embed_name", "context");
        DEFAULTS.put("predict_variance_value", true);
        DEFAULTS.put("image_channels", 4);
        DEFAULTS.put("depth", 512);
        DEFAULTS.put("num_resize", 3);
        DEFAULTS.put("num_res_per_layer", 3);
    }

    private AdmUnetKwargs() {}

    /** Parses a JSON object of adm_unet keyword arguments. */
    public static AdmUNetConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": must be a JSON object of adm_unet keyword arguments");
        }
        Map<String, Object> v = new LinkedHashMap<>(DEFAULTS);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException(source + ": unknown key '" + key + "' (adm_unet takes " + DEFAULTS.keySet() + ")");
            }
            JsonNode n = root.get(key);
            Object def = DEFAULTS.get(key);
            if (def instanceof Integer) {
                if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                    throw new IllegalArgumentException(source + ": '" + key + "' must be an integer, got " + n);
                }
                v.put(key, n.intValue());
            } else if (def instanceof Boolean) {
                if (!n.isBoolean()) {
                    throw new IllegalArgumentException(source + ": '" + key + "' must be true or false, got " + n);
                }
                v.put(key, n.booleanValue());
            } else {
                if (!n.isTextual()) {
                    throw new IllegalArgumentException(source + ": '" + key + "' must be a string, got " + n);
                }
                v.put(key, n.textValue());
            }
        }
        return AdmUNetConfig.admUnet((Integer) v.get("time_embed_dim"), (Integer) v.get("cond_embed_dim"),
                (Integer) v.get("embed_dim"), (String) v.get("embed_name"), (Boolean) v.get("predict_variance_value"),
                (Integer) v.get("image_channels"), (Integer) v.get("depth"), (Integer) v.get("num_resize"),
                (Integer) v.get("num_res_per_layer"));
    }
}
