package org.diffusionlabs.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The metadata of a saved stage in Spark ML's layout, so that {@code Pipeline}/{@code PipelineModel} persistence can
 * read it: one JSON line in {@code <path>/metadata/part-00000} with {@code class}, {@code timestamp},
 * {@code sparkVersion}, {@code uid}, {@code paramMap} (the values set, each as its param's {@code jsonEncode}) and
 * {@code defaultParamMap}, plus a stage's own fields. Written and read through {@link HadoopStorage} (any Hadoop
 * location) on the driver, without a Spark job. Our own small reader and writer, because Spark's
 * {@code DefaultParamsWriter}/{@code DefaultParamsReader} are internal API whose signatures changed in Spark 4.
 */
final class StageMetadata {
    static final String DIR = "metadata";
    static final String FILE = DIR + "/part-00000";
    /**
     * The largest metadata file read (checked before reading): far above any stage's params (a label-embedding
     * table of 1000 × 1024 doubles is ~20 MB), far below what would strain a driver.
     */
    static final long MAX_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StageMetadata() {}

    /** The metadata of {@code stage}; the caller may add its own fields before writing. */
    static ObjectNode of(Params stage, String sparkVersion) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("class", stage.getClass().getName());
        m.put("timestamp", System.currentTimeMillis());
        m.put("sparkVersion", sparkVersion);
        m.put("uid", stage.uid());
        m.set("paramMap", encode(stage, true));
        m.set("defaultParamMap", encode(stage, false));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static ObjectNode encode(Params stage, boolean set) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        for (Param<?> param : stage.params()) {
            Param<Object> p = (Param<Object>) param;
            if (set ? stage.isSet(p) : stage.hasDefault(p)) {
                Object value = set ? stage.getOrDefault(p) : stage.getDefault(p).get();
                out.set(p.name(), JSON.readTree(p.jsonEncode(value)));
            }
        }
        return out;
    }

    /** Writes {@code metadata} to {@code <path>/metadata/part-00000}. */
    static void write(String path, ObjectNode metadata) throws IOException {
        try (OutputStream o = new HadoopStorage(path).create(FILE)) {
            o.write((JSON.writeValueAsString(metadata) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    static boolean exists(String path) throws IOException {
        return new HadoopStorage(path).exists(FILE);
    }

    /** The metadata at {@code path}, checked to be of class {@code expected}. */
    static ObjectNode read(String path, Class<?> expected) throws IOException {
        ObjectNode m = readObject(path, FILE, expected.getSimpleName());
        if (!expected.getName().equals(m.path("class").asText())) {
            throw new IllegalArgumentException(expected.getSimpleName() + ": " + path + "/" + FILE + " is of class "
                    + m.path("class").asText() + ", expected " + expected.getName());
        }
        return m;
    }

    /**
     * The JSON object in {@code <path>/<file>} (a saved stage's own metadata), read as data: at most
     * {@link #MAX_BYTES}, and anything but one JSON object is an error naming the file.
     */
    static ObjectNode readObject(String path, String file, String owner) throws IOException {
        HadoopStorage root = new HadoopStorage(path);
        long bytes = root.length(file);
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(owner + ": " + path + "/" + file + " has " + bytes
                    + " bytes, more than the " + MAX_BYTES + " a stage's metadata may have");
        }
        JsonNode m;
        try (InputStream in = root.open(file)) {
            m = JSON.readTree(in);
        } catch (JsonProcessingException | CharConversionException e) { // CharConversion: bytes of no Unicode encoding
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException(owner + ": " + path + "/" + file + " is not JSON (" + why
                    + "): not a saved stage, or damaged", e);
        }
        if (m == null || !m.isObject()) {
            throw new IllegalArgumentException(owner + ": " + path + "/" + file + " must hold a JSON object, got "
                    + (m == null ? "nothing" : m.getNodeType()));
        }
        return (ObjectNode) m;
    }

    /**
     * Sets every value of {@code params} (a {@code paramMap} object read from {@code where}) on {@code stage}, decoded
     * by its param (and so checked by its validator); an unknown param or a bad value is an error naming both.
     */
    static void setParams(Params stage, JsonNode params, String where) {
        if (!params.isObject()) {
            throw new IllegalArgumentException(where + ": paramMap must be a JSON object, got " + params.getNodeType());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                continue;
            }
            if (!stage.hasParam(e.getKey())) {
                throw new IllegalArgumentException(where + ": " + stage.getClass().getSimpleName() + " has no param '"
                        + e.getKey() + "'");
            }
            @SuppressWarnings("unchecked")
            Param<Object> p = (Param<Object>) stage.getParam(e.getKey());
            try {
                stage.set(p, p.jsonDecode(e.getValue().toString()));
            } catch (RuntimeException bad) {
                String v = e.getValue().toString();
                throw new IllegalArgumentException(where + ": param " + e.getKey() + " given invalid value "
                        + (v.length() > 80 ? v.substring(0, 80) + "..." : v) + ": " + bad.getMessage(), bad);
            }
        }
    }
}
