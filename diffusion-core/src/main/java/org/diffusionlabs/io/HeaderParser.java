package org.diffusionlabs.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import org.diffusionlabs.io.MalformedSafetensorsException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the JSON header of a safetensors file with the strictness of the reference
 * implementation. Two streaming passes: the first checks syntax and Jackson's size/nesting limits
 * (so any syntax problem is {@link Reason#HEADER_JSON}), the second checks the schema, names, sizes and
 * offsets against the real data length. Never materialises a JSON tree, so memory stays proportional
 * to the header text.
 */
final class HeaderParser {
    static final String METADATA_KEY = "__metadata__";
    /** ND4J's maximum rank; also bounds the memory a hostile shape array can take. */
    static final int MAX_RANK = 32;

    static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(64)
                    .build())
            .build();

    private HeaderParser() {}

    /** Decodes, parses and validates {@code headerBytes} against a data section of {@code dataLength} bytes. */
    static SafetensorsHeader parse(byte[] headerBytes, long dataLength) throws MalformedSafetensorsException {
        HeaderEntryCount.check(headerBytes, ReadLimits.safetensorsTensors());
        String json = decodeUtf8(headerBytes);
        checkSyntax(json);
        if (json.charAt(0) != '{') {
            // Valid JSON with leading whitespace or a non-object root.
            String trimmed = json.stripLeading();
            if (trimmed.startsWith("{")) {
                throw new MalformedSafetensorsException(Reason.HEADER_JSON,
                        "header must start with '{' but starts with whitespace");
            }
        }
        Map<String, SafetensorsEntry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken root = p.nextToken();
            if (root != JsonToken.START_OBJECT) {
                throw schema("header must be a JSON object, found " + describe(root));
            }
            Set<String> names = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!names.add(name)) {
                    throw new MalformedSafetensorsException(Reason.DUPLICATE_NAME, (METADATA_KEY.equals(name)
                            ? "duplicate key " : "duplicate tensor name ") + quote(name) + " in header");
                }
                p.nextToken();
                if (METADATA_KEY.equals(name)) {
                    readMetadata(p, metadata);
                } else {
                    entries.put(name, readEntry(p, name, dataLength));
                }
            }
        } catch (MalformedSafetensorsException e) {
            throw e;
        } catch (JsonProcessingException e) {
            // Unreachable after checkSyntax, kept so a Jackson surprise is still a typed error.
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, "invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, "cannot parse header: " + e.getMessage(), e);
        }
        checkTiling(entries, dataLength);
        return new SafetensorsHeader(entries, metadata, headerBytes.length, dataLength);
    }

    private static String decodeUtf8(byte[] bytes) throws MalformedSafetensorsException {
        if (bytes.length == 0) {
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, "header is empty (length 0)");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, String.format(
                    "header is not valid UTF-8: bad byte 0x%02X at header offset %d", bytes[in.position()] & 0xFF,
                    in.position()));
        }
        return out.flip().toString();
    }

    /** Pass 1: exactly one syntactically valid JSON value within the configured limits. */
    private static void checkSyntax(String json) throws MalformedSafetensorsException {
        JsonParser p = null;
        try {
            p = FACTORY.createParser(json);
            int depth = 0;
            boolean rootDone = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (rootDone) {
                    throw new MalformedSafetensorsException(Reason.HEADER_JSON, "trailing content after the header"
                            + " value at character " + p.currentTokenLocation().getCharOffset());
                }
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                }
                rootDone = depth == 0;
            }
            if (!rootDone) {
                throw new MalformedSafetensorsException(Reason.HEADER_JSON, "header contains no JSON value");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation() != null ? e.getLocation() : p == null ? null : p.currentLocation();
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, "invalid JSON at character "
                    + (at == null ? "?" : at.getCharOffset()) + ": " + e.getOriginalMessage(), e);
        } catch (MalformedSafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedSafetensorsException(Reason.HEADER_JSON, "cannot parse header: " + e.getMessage(), e);
        } finally {
            closeQuietly(p);
        }
    }

    private static void closeQuietly(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException ignored) {
                // string-backed parser: nothing to release
            }
        }
    }

    private static void readMetadata(JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return; // the reference accepts an explicit null as "no metadata"
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw schema(METADATA_KEY + " must be an object of strings, found " + describe(p.currentToken()));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw schema(METADATA_KEY + " value for key " + quote(key) + " must be a string, found "
                        + describe(v));
            }
            if (metadata.put(key, p.getText()) != null) {
                throw new MalformedSafetensorsException(Reason.DUPLICATE_NAME,
                        "duplicate " + METADATA_KEY + " key " + quote(key));
            }
        }
    }

    private static SafetensorsEntry readEntry(JsonParser p, String name, long dataLength) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw schema("tensor " + quote(name) + ": entry must be an object, found " + describe(p.currentToken()));
        }
        String dtypeCode = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (!keys.add(key)) {
                throw new MalformedSafetensorsException(Reason.DUPLICATE_NAME,
                        "tensor " + quote(name) + ": duplicate key " + quote(key));
            }
            JsonToken v = p.nextToken();
            switch (key) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        throw schema("tensor " + quote(name) + ": dtype must be a string, found " + describe(v));
                    }
                    dtypeCode = p.getText();
                }
                case "shape" -> shape = readLongs(p, name, "shape", MAX_RANK, Reason.BAD_SHAPE);
                case "data_offsets" -> offsets = readLongs(p, name, "data_offsets", 2, Reason.OFFSETS_OUT_OF_RANGE);
                default -> p.skipChildren(); // unknown keys are ignored, like the reference does
            }
        }
        if (dtypeCode == null || shape == null || offsets == null) {
            String missing = dtypeCode == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw schema("tensor " + quote(name) + ": missing required key " + quote(missing));
        }
        if (offsets.length != 2) {
            throw schema("tensor " + quote(name) + ": data_offsets must have 2 elements, found "
                    + Arrays.toString(offsets));
        }
        return validateEntry(name, dtypeCode, shape, offsets[0], offsets[1], dataLength);
    }

    /** Reads an array of non-negative integers of at most {@code maxLen} elements. */
    private static long[] readLongs(JsonParser p, String name, String key, int maxLen, Reason rangeReason)
            throws IOException {
        String where = "tensor " + quote(name) + ": " + key;
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw schema(where + " must be an array of integers, found " + describe(p.currentToken()));
        }
        long[] out = new long[maxLen];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw schema(where + "[" + n + "] must be an integer, found " + describe(t)
                        + (t != null && t.isScalarValue() ? " " + p.getText() : ""));
            }
            if (n == maxLen) {
                Reason r = key.equals("shape") ? Reason.BAD_SHAPE : Reason.HEADER_SCHEMA;
                throw new MalformedSafetensorsException(r, where + " has more than " + maxLen
                        + (r == Reason.BAD_SHAPE ? " dimensions (ND4J's maximum rank)" : " elements"));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw new MalformedSafetensorsException(rangeReason, where + "[" + n + "] = " + p.getText()
                        + " is out of range (must be in [0, " + Long.MAX_VALUE + "])");
            }
            out[n++] = p.getLongValue();
        }
        return Arrays.copyOf(out, n);
    }

    private static SafetensorsEntry validateEntry(String name, String code, long[] shape, long begin, long end,
                                                  long dataLength) throws MalformedSafetensorsException {
        String who = "tensor " + quote(name);
        SafetensorsDtype dtype = SafetensorsDtype.fromCode(code);
        if (dtype == null) {
            throw new MalformedSafetensorsException(Reason.UNSUPPORTED_DTYPE, who + ": unsupported dtype "
                    + quote(code) + " (supported: " + Arrays.toString(SafetensorsDtype.values()) + ")");
        }
        long bytes;
        try {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new MalformedSafetensorsException(Reason.BAD_SHAPE, who + ": byte size of shape "
                    + Arrays.toString(shape) + " x " + dtype.byteSize() + " bytes overflows 64 bits");
        }
        if (end < begin) {
            throw new MalformedSafetensorsException(Reason.OFFSETS_OUT_OF_RANGE,
                    who + ": data_offsets end " + end + " is before begin " + begin);
        }
        if (end > dataLength) {
            throw new MalformedSafetensorsException(Reason.OFFSETS_OUT_OF_RANGE, who + ": data_offsets [" + begin
                    + ", " + end + "] exceed the data section length " + dataLength + " (file truncated?)");
        }
        if (end - begin != bytes) {
            throw new MalformedSafetensorsException(Reason.SIZE_MISMATCH, who + ": data_offsets [" + begin + ", "
                    + end + "] span " + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of "
                    + dtype.code() + " needs " + bytes);
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /** Sorted by offset, entries must cover [0, dataLength) exactly, without gaps or overlaps. */
    private static void checkTiling(Map<String, SafetensorsEntry> entries, long dataLength)
            throws MalformedSafetensorsException {
        List<SafetensorsEntry> sorted = SafetensorsHeader.byOffset(entries.values());
        long expected = 0;
        String previous = null;
        for (SafetensorsEntry e : sorted) {
            if (e.begin() != expected) {
                String what = e.begin() < expected
                        ? "overlaps the previous tensor " + quote(previous) + " which ends at " + expected
                        : "leaves a gap of " + (e.begin() - expected) + " bytes after "
                        + (previous == null ? "the start of the data section" : "tensor " + quote(previous))
                        + " (expected begin " + expected + ")";
                throw new MalformedSafetensorsException(Reason.OFFSETS_OVERLAP_OR_GAP, "tensor " + quote(e.name())
                        + ": data_offsets [" + e.begin() + ", " + e.end() + "] " + what);
            }
            expected = e.end();
            previous = e.name();
        }
        if (expected != dataLength) {
            throw new MalformedSafetensorsException(Reason.OFFSETS_OVERLAP_OR_GAP, "tensors cover " + expected
                    + " bytes but the data section has " + dataLength + " (" + (dataLength - expected)
                    + " trailing bytes)");
        }
    }

    private static MalformedSafetensorsException schema(String message) {
        return new MalformedSafetensorsException(Reason.HEADER_SCHEMA, message);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT -> "integer";
            case VALUE_NUMBER_FLOAT -> "float";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    /** Quotes a name for messages, truncating hostile very long names. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "'" + (s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s) + "'";
    }
}
