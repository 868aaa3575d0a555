package org.diffusionlabs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the golden JSON files of the PyTorch reference copied into {@code src/test/resources/golden/}.
 * Tensors are {@code {"shape", "dtype", "data"}} objects; paths are '/'-separated keys.
 */
public final class Golden {
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();
    private final JsonNode root;

    private Golden(JsonNode root) {
        this.root = root;
    }

    /** Loads {@code golden/<file>} from the test classpath (cached). */
    public static Golden load(String file) {
        return new Golden(CACHE.computeIfAbsent(file, f -> {
            try (InputStream in = Golden.class.getResourceAsStream("/golden/" + f)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource golden/" + f);
                }
                return new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** The node at a '/'-separated path; fails clearly when a key is missing. */
    public JsonNode node(String path) {
        JsonNode n = root;
        for (String key : path.split("/")) {
            n = n.get(key);
            if (n == null) {
                throw new IllegalArgumentException("golden path not found: " + path + " (at '" + key + "')");
            }
        }
        return n;
    }

    public Golden at(String path) {
        return new Golden(node(path));
    }

    public double[] doubles(String path) {
        JsonNode data = node(path).get("data");
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asDouble();
        }
        return out;
    }

    public long[] longs(String path) {
        JsonNode data = node(path).get("data");
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asLong();
        }
        return out;
    }

    public long[] shape(String path) {
        JsonNode s = node(path).get("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    /** The tensor in its golden dtype (float32, float64 or int64). */
    public INDArray tensor(String path) {
        String dtype = node(path).get("dtype").asText();
        long[] shape = shape(path);
        return switch (dtype) {
            case "float32" -> Nd4j.createFromArray(doubles(path)).castTo(DataType.FLOAT).reshape(shape);
            case "float64" -> Nd4j.createFromArray(doubles(path)).reshape(shape);
            case "int64" -> Nd4j.createFromArray(longs(path)).reshape(shape);
            default -> throw new IllegalArgumentException("unknown golden dtype " + dtype + " at " + path);
        };
    }

    public double scalar(String path) {
        JsonNode n = node(path);
        return n.isObject() ? n.get("data").get(0).asDouble() : n.asDouble();
    }
}
