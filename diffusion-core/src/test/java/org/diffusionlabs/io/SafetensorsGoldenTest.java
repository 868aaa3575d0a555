package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the reference-written {@code golden/tiny_inputs.safetensors}. */
class SafetensorsGoldenTest {
    private static final String RESOURCE = "/golden/tiny_inputs.safetensors";

    private static Path golden() throws URISyntaxException {
        return Path.of(SafetensorsGoldenTest.class.getResource(RESOURCE).toURI());
    }

    private static void check(Map<String, INDArray> m) {
        assertArrayEquals(new float[] {0, 17, 500, 999}, m.get("t").toFloatVector());
        assertArrayEquals(new float[] {3, 0, 7, 9}, m.get("digit").toFloatVector());
        assertArrayEquals(new float[] {999, 519, 39, 19}, m.get("ddim_step.cur_step").toFloatVector());
        assertArrayEquals(new long[] {4, 1, 32, 32}, m.get("x0").shape());
        assertArrayEquals(new long[] {10, 768}, m.get("encoder.weight").shape());
        assertArrayEquals(new long[] {4, 768}, m.get("digit_embedding").shape());
        for (INDArray a : m.values()) {
            assertEquals(DataType.FLOAT, a.dataType());
            for (float v : a.data().asFloat()) {
                assertTrue(Float.isFinite(v));
            }
        }
        assertEquals("x0", m.keySet().iterator().next(), "file order");
        assertEquals(11, m.size());
    }

    @Test
    void readsFromPath() throws Exception {
        check(Safetensors.read(golden()));
    }

    @Test
    void valuesMatchAnIndependentByteDecode() throws Exception {
        byte[] raw = Files.readAllBytes(golden());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long dataStart = 8 + b.getLong(0);
        Map<String, INDArray> m = Safetensors.read(golden());
        for (SafetensorsEntry e : Safetensors.readHeader(golden()).entries().values()) {
            float[] got = m.get(e.name()).data().asFloat();
            for (int i = 0; i < got.length; i++) {
                assertEquals(b.getFloat((int) (dataStart + e.begin()) + 4 * i), got[i], 0f, e.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void readsFromStream() throws Exception {
        long size = Files.size(golden());
        try (InputStream in = SafetensorsGoldenTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in);
            check(Safetensors.read(in, size));
        }
    }

    @Test
    void headerAndMetadata() throws Exception {
        SafetensorsHeader h = Safetensors.readHeader(golden());
        assertEquals("make_golden.py", h.metadata().get("written_by"));
        assertTrue(h.metadata().get("config").contains("\"embed_dim\": 768"));
        assertEquals(1200, h.headerLength());
        assertEquals(Files.size(golden()) - 1208, h.dataLength());
        assertEquals(new SafetensorsEntry("t", SafetensorsDtype.F32, new long[] {4}, 49152, 49168),
                h.entries().get("t"));
    }

    @Test
    void rewriteReproducesTensors() throws Exception {
        Map<String, INDArray> m = Safetensors.read(golden());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Safetensors.write(m, Safetensors.readHeader(golden()).metadata(), out);
        byte[] bytes = out.toByteArray();
        Map<String, INDArray> again = Safetensors.read(new java.io.ByteArrayInputStream(bytes), bytes.length);
        assertEquals(m, again);
        byte[] original = Files.readAllBytes(golden());
        assertEquals(original.length - 1208, bytes.length - Safetensors.readHeader(
                new java.io.ByteArrayInputStream(bytes), bytes.length).dataStart(), "same data section size");
    }
}
