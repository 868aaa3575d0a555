package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write-then-read round trips through streams and files, including scalars, empty arrays and views. */
class SafetensorsRoundTripTest {

    private static INDArray seq(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Nd4j.linspace(DataType.FLOAT, 0.5, 1.0, n).reshape('c', shape);
    }

    private static byte[] toBytes(Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(tensors, metadata, out);
        return out.toByteArray();
    }

    private static Map<String, INDArray> fromBytes(byte[] file) throws IOException {
        return Safetensors.read(new ByteArrayInputStream(file), file.length);
    }

    private static void assertSame(INDArray expected, INDArray actual) {
        assertEquals(DataType.FLOAT, actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals('c', actual.ordering());
        assertArrayEquals(expected.dup('c').data().asFloat(), actual.data().asFloat());
    }

    @Test
    void severalShapesIncludingScalarAndZeroSize() throws IOException {
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("matrix", seq(2, 3));
        in.put("scalar", Nd4j.scalar(3.25f));
        in.put("empty", Nd4j.create(DataType.FLOAT, 0, 3));
        in.put("vector", seq(5));
        in.put("conv.weight", seq(4, 1, 3, 3));
        in.put("empty2", Nd4j.create(DataType.FLOAT, 2, 0, 4));
        Map<String, INDArray> out = fromBytes(toBytes(in, null));
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
        for (String k : in.keySet()) {
            assertSame(in.get(k), out.get(k));
        }
        assertEquals(0, out.get("scalar").rank());
        assertEquals(3.25f, out.get("scalar").getFloat(0));
        assertTrue(out.get("empty").isEmpty());
        assertArrayEquals(new long[] {2, 0, 4}, out.get("empty2").shape());
    }

    @Test
    void fOrderAndViewsAreWrittenInCOrder() throws IOException {
        INDArray base = seq(4, 5);
        INDArray fOrder = base.dup('f');
        INDArray view = base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(2, 5));
        INDArray transposed = base.transpose();
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("f", fOrder);
        in.put("view", view);
        in.put("t", transposed);
        in.put("row", base.getRow(2));
        Map<String, INDArray> out = fromBytes(toBytes(in, Map.of()));
        assertArrayEquals(new float[] {base.getFloat(1, 2), base.getFloat(1, 3), base.getFloat(1, 4),
                base.getFloat(2, 2), base.getFloat(2, 3), base.getFloat(2, 4)}, out.get("view").data().asFloat());
        for (String k : in.keySet()) {
            assertSame(in.get(k), out.get(k));
            assertEquals(in.get(k), out.get(k), k);
        }
    }

    @Test
    void metadataRoundTripsAndHeaderIsPaddedToEightBytes() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"and\\slash", "ünïcode ✓ \n newline");
        meta.put("empty", "");
        byte[] file = toBytes(Map.of("w", seq(3)), meta);
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        assertEquals(8 + n + 12, file.length);
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        SafetensorsHeader h = Safetensors.readHeader(new ByteArrayInputStream(file), file.length);
        assertEquals(meta, h.metadata());
        assertEquals(List.copyOf(new java.util.TreeSet<>(meta.keySet())), List.copyOf(h.metadata().keySet()),
                "metadata keys are written sorted");
        SafetensorsEntry w = h.entries().get("w");
        assertEquals(SafetensorsDtype.F32, w.dtype());
        assertArrayEquals(new long[] {3}, w.shape());
        assertEquals(0, w.begin());
        assertEquals(12, w.end());
    }

    /** Checkpoints write metadata from Map.of, whose iteration order changes from one JVM to the next. */
    @Test
    void metadataOrderDoesNotChangeTheBytes() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("w", Nd4j.createFromArray(1f, 2f, 3f));
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("step", "3");
        ab.put("format", "f/1");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("format", "f/1");
        ba.put("step", "3");
        assertArrayEquals(SafetensorsWriter.header(t, ab), SafetensorsWriter.header(t, ba));
    }

    @Test
    void multiChunkTensorsThroughAFile(@TempDir Path dir) throws IOException {
        // 2.5 MiB and 1 MiB + 4 bytes: exercises chunk boundaries in both directions.
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("big", Nd4j.rand(DataType.FLOAT, 640, 1024));
        in.put("odd", Nd4j.rand(DataType.FLOAT, 262_145));
        in.put("small", seq(2, 2));
        Path file = dir.resolve("weights.safetensors");
        Safetensors.write(in, Map.of("k", "v"), file);
        Map<String, INDArray> out = Safetensors.read(file);
        for (String k : in.keySet()) {
            assertEquals(in.get(k), out.get(k), k);
        }
        assertEquals(Map.of("k", "v"), Safetensors.readHeader(file).metadata());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void emptyMapRoundTrips() throws IOException {
        byte[] file = toBytes(Map.of(), null);
        assertTrue(fromBytes(file).isEmpty());
    }

    @Test
    void nonFloatArrayIsRejectedBeforeWriting() {
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("ok", seq(2));
        in.put("ids", Nd4j.createFromArray(1L, 2L));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(in, null, out));
        assertTrue(e.getMessage().contains("ids") && e.getMessage().contains("LONG"), e.getMessage());
        assertEquals(0, out.size());
    }

    @Test
    void reservedNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(Map.of("__metadata__", seq(1)), null, new ByteArrayOutputStream()));
        assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
    }

    @Test
    void missingFileIsNoSuchFileExceptionWithPath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Safetensors.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void streamReadLeavesTrailingBytesUnread() throws IOException {
        byte[] file = toBytes(Map.of("x", seq(2)), null);
        ByteArrayInputStream in = new ByteArrayInputStream(StFiles.concat(file, new byte[] {1, 2, 3}));
        assertEquals(1, Safetensors.read(in, file.length).size());
        assertEquals(3, in.available());
    }
}
