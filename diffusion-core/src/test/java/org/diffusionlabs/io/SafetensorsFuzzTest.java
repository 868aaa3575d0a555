package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static org.diffusionlabs.io.StFiles.bytes;
import static org.diffusionlabs.io.StFiles.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of a small valid file: every mutated read either succeeds or throws
 * {@link MalformedSafetensorsException} — never another exception, an error or a hang.
 */
class SafetensorsFuzzTest {
    /** Override with -Dsafetensors.fuzz.seed / -Dsafetensors.fuzz.mutations for longer local runs. */
    private static final long SEED = Long.getLong("safetensors.fuzz.seed", 20240611L);
    private static final int MUTATIONS = Integer.getInteger("safetensors.fuzz.mutations", 300);
    private static final byte[] JSON_CHARS = "{}[]\",:-.e0123456789 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static byte[] baseFile() {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[20,28]},"
                + "\"e\":{\"dtype\":\"BF16\",\"shape\":[0,3],\"data_offsets\":[28,28]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[28,31]}}";
        byte[] data = bytes(0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40,
                0x00, 0x3C, 0x00, 0xC0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3);
        return file(json, data);
    }

    @Test
    @Timeout(120)
    void mutatedFilesOnlyEverFailWithTypedErrors() {
        byte[] base = baseFile();
        int headerEnd = 8 + (int) ByteBuffer.wrap(base, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random rnd = new Random(SEED);
        int ok = 0;
        Map<MalformedSafetensorsException.Reason, Integer> reasons =
                new EnumMap<>(MalformedSafetensorsException.Reason.class);
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] m = base.clone();
            long declared;
            String op;
            switch (rnd.nextInt(6)) {
                case 0 -> { // random bytes anywhere
                    op = "flip";
                    for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                        m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
                    }
                    declared = m.length;
                }
                case 1 -> { // JSON-significant characters inside the header
                    op = "json-char";
                    for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                        m[8 + rnd.nextInt(headerEnd - 8)] = JSON_CHARS[rnd.nextInt(JSON_CHARS.length)];
                    }
                    declared = m.length;
                }
                case 2 -> { // truncation, length told honestly
                    op = "truncate";
                    m = Arrays.copyOf(m, rnd.nextInt(m.length));
                    declared = m.length;
                }
                case 3 -> { // truncation, stream claims the original length
                    op = "truncate-lying";
                    m = Arrays.copyOf(m, rnd.nextInt(m.length));
                    declared = base.length;
                }
                case 4 -> { // random header length prefix
                    op = "prefix";
                    long v = rnd.nextInt(3) == 0 ? rnd.nextLong() : headerEnd - 8 + rnd.nextInt(33) - 16;
                    ByteBuffer.wrap(m, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                    declared = m.length;
                }
                default -> { // extra bytes appended to the data section
                    op = "append";
                    m = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(8));
                    declared = m.length;
                }
            }
            try {
                Map<String, INDArray> out = Safetensors.read(new ByteArrayInputStream(m), declared);
                out.values().forEach(a -> assertNotNull(a));
                ok++;
            } catch (MalformedSafetensorsException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (Throwable t) {
                fail("mutation " + i + " (" + op + ", seed " + SEED + ") threw " + t, t);
            }
        }
        System.out.println("safetensors fuzz: " + ok + " accepted, rejected " + reasons);
        assertEquals(MUTATIONS, ok + reasons.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(ok < MUTATIONS, "some mutations must be rejected");
        assertTrue(reasons.size() >= 5, "mutations should reach several checks: " + reasons);
    }
}
