package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.diffusionlabs.io.StFiles.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads every supported dtype from hand-built files with known bit patterns. */
class SafetensorsDtypeReadTest {

    private static INDArray readSingle(byte[] file) throws IOException {
        Map<String, INDArray> m = Safetensors.read(new ByteArrayInputStream(file), file.length);
        assertEquals(List.of("a"), List.copyOf(m.keySet()));
        return m.get("a");
    }

    @Test
    void f32() throws IOException {
        INDArray a = readSingle(StFiles.single("F32", "[2]", bytes(0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0)));
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(new float[] {1.5f, -2f}, a.toFloatVector());
    }

    @Test
    void f16() throws IOException {
        // 0x3C00 = 1.0, 0xC000 = -2.0, 0x3800 = 0.5, 0x7BFF = 65504 (max half)
        INDArray a = readSingle(StFiles.single("F16", "[2,2]",
                bytes(0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B)));
        assertEquals(DataType.FLOAT16, a.dataType());
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertArrayEquals(new double[] {1.0, -2.0, 0.5, 65504.0}, a.castTo(DataType.DOUBLE).reshape(4).toDoubleVector());
    }

    @Test
    void bf16() throws IOException {
        // 0x3F80 = 1.0, 0xC040 = -3.0, 0x3E00 = 0.125
        INDArray a = readSingle(StFiles.single("BF16", "[3]", bytes(0x80, 0x3F, 0x40, 0xC0, 0x00, 0x3E)));
        assertEquals(DataType.BFLOAT16, a.dataType());
        assertArrayEquals(new double[] {1.0, -3.0, 0.125}, a.castTo(DataType.DOUBLE).toDoubleVector());
    }

    @Test
    void f64() throws IOException {
        // 1.0 = 0x3FF0000000000000, -0.25 = 0xBFD0000000000000
        INDArray a = readSingle(StFiles.single("F64", "[2]", bytes(0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
                0, 0, 0, 0, 0, 0, 0xD0, 0xBF)));
        assertEquals(DataType.DOUBLE, a.dataType());
        assertArrayEquals(new double[] {1.0, -0.25}, a.toDoubleVector());
    }

    @Test
    void i64() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(-2).putLong(1L << 40);
        INDArray a = readSingle(StFiles.single("I64", "[3]", b.array()));
        assertEquals(DataType.INT64, a.dataType());
        assertArrayEquals(new long[] {1, -2, 1L << 40}, a.toLongVector());
    }

    @Test
    void i32() throws IOException {
        INDArray a = readSingle(StFiles.single("I32", "[2,1]", bytes(7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)));
        assertEquals(DataType.INT32, a.dataType());
        assertArrayEquals(new long[] {2, 1}, a.shape());
        assertEquals(7, a.getInt(0, 0));
        assertEquals(-1, a.getInt(1, 0));
    }

    @Test
    void u8() throws IOException {
        INDArray a = readSingle(StFiles.single("U8", "[3]", bytes(0, 200, 255)));
        assertEquals(DataType.UINT8, a.dataType());
        assertArrayEquals(new double[] {0, 200, 255}, a.castTo(DataType.DOUBLE).toDoubleVector());
    }

    @Test
    void mixedDtypesUnalignedAndHeaderOrderDiffersFromDataOrder() throws IOException {
        // "b" is listed first but its data comes second; the U8 tensor leaves the I32 data unaligned.
        String json = "{\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[3,7]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                + "\"__metadata__\":{\"k\":\"v\"}}";
        byte[] file = StFiles.file(json, bytes(1, 2, 3, 0x2A, 0, 0, 0));
        Map<String, INDArray> m = Safetensors.read(new ByteArrayInputStream(file), file.length);
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(42, m.get("b").getInt(0));
        assertArrayEquals(new double[] {1, 2, 3}, m.get("a").castTo(DataType.DOUBLE).toDoubleVector());
        SafetensorsHeader h = Safetensors.readHeader(new ByteArrayInputStream(file), file.length);
        assertEquals(Map.of("k", "v"), h.metadata());
        assertEquals(SafetensorsDtype.U8, h.entries().get("a").dtype());
        assertEquals(7, h.dataLength());
    }

    @Test
    void toFloat32ConvertsEveryDtype() throws IOException {
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[2,10]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[10,11]}}";
        byte[] file = StFiles.file(json, bytes(0x00, 0xC0, 5, 0, 0, 0, 0, 0, 0, 0, 250));
        Map<String, INDArray> f = Safetensors.toFloat32(Safetensors.read(new ByteArrayInputStream(file), file.length));
        assertEquals(List.of("h", "l", "u"), List.copyOf(f.keySet()));
        for (INDArray a : f.values()) {
            assertEquals(DataType.FLOAT, a.dataType());
        }
        assertEquals(-2f, f.get("h").getFloat(0));
        assertEquals(5f, f.get("l").getFloat(0));
        assertEquals(250f, f.get("u").getFloat(0));
    }

    @Test
    void acceptsWhatTheReferenceAccepts() throws IOException {
        // null metadata, unknown extra keys, a zero-size tensor sharing its offset with the next tensor
        String json = "{\"__metadata__\":null,"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"extra\":{\"x\":[1]}},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        byte[] file = StFiles.file(json, bytes(9));
        Map<String, INDArray> m = Safetensors.read(new ByteArrayInputStream(file), file.length);
        assertEquals(List.of("z", "a"), List.copyOf(m.keySet()));
        assertTrue(m.get("z").isEmpty());
        assertEquals(9, m.get("a").getInt(0));
        assertTrue(Safetensors.readHeader(new ByteArrayInputStream(file), file.length).metadata().isEmpty());
    }
}
