package org.diffusionlabs.io;

import org.diffusionlabs.io.MalformedSafetensorsException.Reason;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.diffusionlabs.io.StFiles.bytes;
import static org.diffusionlabs.io.StFiles.concat;
import static org.diffusionlabs.io.StFiles.f32;
import static org.diffusionlabs.io.StFiles.file;
import static org.diffusionlabs.io.StFiles.prefix;
import static org.diffusionlabs.io.StFiles.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Hostile files: every one must fail with a {@link MalformedSafetensorsException} of the exact reason. */
class MalformedSafetensorsTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private static Arguments hostile(String name, byte[] file, Reason reason, String inMessage) {
        return arguments(Named.of(name, file), reason, inMessage);
    }

    static Stream<Arguments> hostileFiles() {
        byte[] eight = f32(1, 2);
        return Stream.of(
                hostile("file shorter than 8 bytes", bytes(1, 2, 3), Reason.HEADER_LENGTH, "3 bytes"),
                hostile("empty file", new byte[0], Reason.HEADER_LENGTH, "0 bytes"),
                hostile("header length larger than the file", concat(prefix(1000), "{}".getBytes(StandardCharsets.UTF_8)),
                        Reason.HEADER_LENGTH, "1000"),
                hostile("header length 2^64-16 (negative as signed)", concat(prefix(0xFFFF_FFFF_FFFF_FFF0L), bytes(0x7B)),
                        Reason.HEADER_LENGTH, "18446744073709551600"),
                hostile("header length 2^62", concat(prefix(1L << 62), bytes(0x7B)), Reason.HEADER_LENGTH,
                        String.valueOf(1L << 62)),
                hostile("header length just over the 100 MiB cap", concat(prefix((100L << 20) + 1), bytes(0x7B)),
                        Reason.HEADER_LENGTH, "104857601"),
                hostile("zero-length header", prefix(0), Reason.HEADER_JSON, "empty"),
                hostile("header not JSON", file("not json at all", new byte[0]), Reason.HEADER_JSON, "not"),
                hostile("header not UTF-8", concat(prefix(4), bytes(0x7B, 0xFF, 0xFE, 0x7D)), Reason.HEADER_JSON,
                        "UTF-8"),
                hostile("trailing content after the header object", file("{} {}", new byte[0]), Reason.HEADER_JSON,
                        "trailing"),
                hostile("leading whitespace before the object", file(" {}", new byte[0]), Reason.HEADER_JSON, "'{'"),
                hostile("deeply nested JSON (100k '[')", file("[".repeat(100_000), new byte[0]), Reason.HEADER_JSON,
                        "nesting"),
                hostile("deeply nested JSON inside an entry", file("{\"a\":" + "{\"b\":".repeat(50_000), new byte[0]),
                        Reason.HEADER_JSON, "nesting"),
                hostile("number literal with 5000 digits", file("{\"a\":{\"dtype\":\"F32\",\"shape\":["
                        + "9".repeat(5000) + "],\"data_offsets\":[0,0]}}", new byte[0]), Reason.HEADER_JSON, "length"),
                hostile("header JSON array instead of object", file("[1,2]", new byte[0]), Reason.HEADER_SCHEMA, "array"),
                hostile("entry is not an object", file("{\"a\":5}", new byte[0]), Reason.HEADER_SCHEMA, "'a'"),
                hostile("entry missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", eight),
                        Reason.HEADER_SCHEMA, "'dtype'"),
                hostile("entry missing data_offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight),
                        Reason.HEADER_SCHEMA, "'data_offsets'"),
                hostile("dtype is a number", file("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", eight),
                        Reason.HEADER_SCHEMA, "dtype"),
                hostile("unknown dtype F8_E4M3", single("F8_E4M3", "[8]", eight), Reason.UNSUPPORTED_DTYPE, "'F8_E4M3'"),
                hostile("unknown dtype Q4", single("Q4", "[2]", eight), Reason.UNSUPPORTED_DTYPE, "'Q4'"),
                hostile("lower-case dtype f32", single("f32", "[2]", eight), Reason.UNSUPPORTED_DTYPE, "'f32'"),
                hostile("negative dimension", single("F32", "[-2]", eight), Reason.BAD_SHAPE, "-2"),
                hostile("shape product overflow [2^40, 2^40]", single("F32", "[1099511627776,1099511627776]", eight),
                        Reason.BAD_SHAPE, "overflows"),
                hostile("byte size overflow [2^62] x 4 bytes", single("F32", "[4611686018427387904]", eight),
                        Reason.BAD_SHAPE, "overflows"),
                hostile("dimension above Long.MAX_VALUE", single("F32", "[9223372036854775808]", eight),
                        Reason.BAD_SHAPE, "9223372036854775808"),
                hostile("rank 33", single("F32", "[" + "1,".repeat(32) + "1]", f32(1)), Reason.BAD_SHAPE, "32"),
                hostile("non-integer dimension", single("F32", "[2.0]", eight), Reason.HEADER_SCHEMA, "2.0"),
                hostile("offsets beyond the data section", file("{" + entry("a", "F32", "[2]", "[0,8]") + "}", f32(1)),
                        Reason.OFFSETS_OUT_OF_RANGE, "'a'"),
                hostile("huge offsets beyond the data section",
                        file("{" + entry("a", "F32", "[2]", "[9000000000000000000,9000000000000000008]") + "}", eight),
                        Reason.OFFSETS_OUT_OF_RANGE, "9000000000000000008"),
                hostile("end before begin", file("{" + entry("a", "F32", "[2]", "[8,0]") + "}", eight),
                        Reason.OFFSETS_OUT_OF_RANGE, "before begin"),
                hostile("negative offset", file("{" + entry("a", "F32", "[0]", "[-4,0]") + "}", new byte[0]),
                        Reason.OFFSETS_OUT_OF_RANGE, "-4"),
                hostile("non-integer offsets", file("{" + entry("a", "F32", "[2]", "[0.0,8.0]") + "}", eight),
                        Reason.HEADER_SCHEMA, "data_offsets"),
                hostile("string offsets", file("{" + entry("a", "F32", "[2]", "[\"0\",\"8\"]") + "}", eight),
                        Reason.HEADER_SCHEMA, "data_offsets"),
                hostile("three data_offsets", file("{" + entry("a", "F32", "[2]", "[0,8,8]") + "}", eight),
                        Reason.HEADER_SCHEMA, "data_offsets"),
                hostile("overlapping entries", file("{" + entry("a", "F32", "[2]", "[0,8]") + ","
                        + entry("b", "F32", "[2]", "[4,12]") + "}", f32(1, 2, 3)), Reason.OFFSETS_OVERLAP_OR_GAP, "'b'"),
                hostile("two entries aliasing the same bytes", file("{" + entry("a", "F32", "[2]", "[0,8]") + ","
                        + entry("b", "F32", "[2]", "[0,8]") + "}", eight), Reason.OFFSETS_OVERLAP_OR_GAP, "overlaps"),
                hostile("gap between entries", file("{" + entry("a", "F32", "[1]", "[0,4]") + ","
                        + entry("b", "F32", "[1]", "[8,12]") + "}", f32(1, 2, 3)), Reason.OFFSETS_OVERLAP_OR_GAP, "gap"),
                hostile("data not starting at offset 0", file("{" + entry("a", "F32", "[1]", "[4,8]") + "}", eight),
                        Reason.OFFSETS_OVERLAP_OR_GAP, "gap"),
                hostile("unused trailing data bytes", file("{" + entry("a", "F32", "[1]", "[0,4]") + "}", eight),
                        Reason.OFFSETS_OVERLAP_OR_GAP, "trailing"),
                hostile("byte size not matching shape", file("{" + entry("a", "F32", "[3]", "[0,8]") + "}", eight),
                        Reason.SIZE_MISMATCH, "needs 12"),
                hostile("duplicate tensor names", file("{" + entry("a", "F32", "[1]", "[0,4]") + ","
                        + entry("a", "F32", "[1]", "[4,8]") + "}", eight), Reason.DUPLICATE_NAME, "'a'"),
                hostile("duplicate key inside an entry", file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\","
                        + "\"shape\":[2],\"data_offsets\":[0,8]}}", eight), Reason.DUPLICATE_NAME, "'dtype'"),
                hostile("duplicate __metadata__", file("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]),
                        Reason.DUPLICATE_NAME, "__metadata__"),
                hostile("metadata value not a string", file("{\"__metadata__\":{\"epoch\":3}}", new byte[0]),
                        Reason.HEADER_SCHEMA, "'epoch'"),
                hostile("metadata is an array", file("{\"__metadata__\":[\"a\"]}", new byte[0]), Reason.HEADER_SCHEMA,
                        "__metadata__"));
    }

    @ParameterizedTest(name = "{index}: {0} -> {1}")
    @MethodSource("hostileFiles")
    void hostileStreamGivesTypedError(byte[] file, Reason reason, String inMessage) {
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(file), file.length));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(inMessage), () -> "message should contain '" + inMessage + "': "
                + e.getMessage());
    }

    @ParameterizedTest(name = "{index}: {0} -> {1}")
    @MethodSource("hostileFiles")
    void hostileFileGivesTypedError(byte[] file, Reason reason, String inMessage) throws IOException {
        Path p = Files.write(dir.resolve("hostile.safetensors"), file);
        assertEquals(reason, assertThrows(MalformedSafetensorsException.class, () -> Safetensors.read(p)).reason());
        assertEquals(reason, assertThrows(MalformedSafetensorsException.class, () -> Safetensors.readHeader(p)).reason());
    }

    private static byte[] validFile() {
        return file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[1]", "[8,12]") + "}",
                f32(1, 2, 3));
    }

    @Test
    void truncatedDataInStream() {
        byte[] full = validFile();
        byte[] cut = Arrays.copyOf(full, full.length - 2);
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(cut), full.length));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void truncatedHeaderInStream() {
        byte[] full = validFile();
        byte[] cut = Arrays.copyOf(full, 20);
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(cut), full.length)).reason());
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(new byte[5]), 1000)).reason());
    }

    @Test
    void truncatedFileOnDiskIsOffsetsOutOfRange() throws IOException {
        byte[] full = validFile();
        Path p = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(full, full.length - 4));
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class, () -> Safetensors.read(p));
        assertEquals(Reason.OFFSETS_OUT_OF_RANGE, e.reason());
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void hugeDeclaredHeaderOnAShortStreamFailsFast() {
        // Claims a 100 MiB header and a 1 TB stream but delivers 16 bytes.
        byte[] lie = concat(prefix(100L << 20), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(lie), 1L << 40)).reason());
    }

    @Test
    @Timeout(10)
    void streamThatNeverDeliversDoesNotHang() {
        InputStream stuck = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return 0;
            }
        };
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(stuck, 100)).reason());
    }

    @Test
    void validControlFileReads() throws IOException {
        byte[] f = validFile();
        assertEquals(2, Safetensors.read(new ByteArrayInputStream(f), f.length).size());
    }
}
