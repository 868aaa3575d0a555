package org.diffusionlabs.io;

import org.diffusionlabs.io.MalformedSafetensorsException.Reason;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors checkpoint format (PyTorch/Hugging Face weights, the golden files).
 * Reading validates the whole header against the real file length before allocating any tensor, then
 * streams the data section once, in 1 MiB chunks, straight into each INDArray's native memory; every
 * structural defect is a {@link MalformedSafetensorsException} with a {@link Reason}, so hostile files
 * cannot cause an OutOfMemoryError or a hang: the header's length and its number of tensors are capped
 * ({@link ReadLimits#SAFETENSORS_HEADER_BYTES}, {@link ReadLimits#SAFETENSORS_TENSORS}) before it is parsed.
 * Writing supports F32 (see {@link #write(Map, Map, OutputStream)}).
 */
public final class Safetensors {
    private static final String OWNER = "Safetensors";

    private Safetensors() {}

    /** Reads all tensors of a file, in header order, as arrays of their native dtype. */
    public static Map<String, INDArray> read(Path path) throws IOException {
        Checks.notNull(path, OWNER, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readAll(ByteSource.of(ch), ch.size());
        }
    }

    /**
     * Reads all tensors from a stream holding exactly one safetensors file of {@code totalBytes} bytes
     * (the stream is not closed; bytes after the file are left unread). A stream that ends before
     * {@code totalBytes} fails with {@link Reason#TRUNCATED}.
     */
    public static Map<String, INDArray> read(InputStream in, long totalBytes) throws IOException {
        Checks.notNull(in, OWNER, "in");
        Checks.require(totalBytes >= 0, OWNER, "totalBytes", totalBytes, "must be >= 0");
        return readAll(ByteSource.of(in), totalBytes);
    }

    /** Reads and validates only the header of a file (no tensor data is read). */
    public static SafetensorsHeader readHeader(Path path) throws IOException {
        Checks.notNull(path, OWNER, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(ByteSource.of(ch), ch.size());
        }
    }

    /** Reads and validates the header from a stream holding a file of {@code totalBytes} bytes. */
    public static SafetensorsHeader readHeader(InputStream in, long totalBytes) throws IOException {
        Checks.notNull(in, OWNER, "in");
        Checks.require(totalBytes >= 0, OWNER, "totalBytes", totalBytes, "must be >= 0");
        return readHeader(ByteSource.of(in), totalBytes);
    }

    /**
     * Writes F32 tensors in the map's iteration order plus optional string metadata (may be null).
     * Views and f-order arrays are written in C order. A non-FLOAT array is an IllegalArgumentException
     * naming the tensor, raised before anything is written. The stream is not closed.
     */
    public static void write(Map<String, INDArray> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        SafetensorsWriter.write(tensors, metadata, out);
    }

    /** Like {@link #write(Map, Map, OutputStream)}, into a temporary sibling file moved over {@code path}. */
    public static void write(Map<String, INDArray> tensors, Map<String, String> metadata, Path path)
            throws IOException {
        SafetensorsWriter.write(tensors, metadata, path);
    }

    /** Converts every array to FLOAT (FLOAT arrays are returned as is), keeping the map order. */
    public static Map<String, INDArray> toFloat32(Map<String, INDArray> tensors) {
        Checks.notNull(tensors, OWNER, "tensors");
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = Checks.notNull(e.getValue(), OWNER, "tensors[" + e.getKey() + "]");
            Checks.require(a.dataType().isNumerical(), OWNER, "tensors[" + e.getKey() + "]", a.dataType(),
                    "must be a numeric array");
            out.put(e.getKey(), a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
        }
        return out;
    }

    private static SafetensorsHeader readHeader(ByteSource src, long totalBytes) throws IOException {
        if (totalBytes < 8) {
            throw new MalformedSafetensorsException(Reason.HEADER_LENGTH,
                    "file has " + totalBytes + " bytes, fewer than the 8-byte header length prefix");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(prefix, "the header length");
        long n = prefix.getLong(0);
        long cap = ReadLimits.safetensorsHeaderBytes();
        if (n < 0 || n > cap || n > Integer.MAX_VALUE - 8) { // one byte array holds the header
            throw new MalformedSafetensorsException(Reason.HEADER_LENGTH, "header length "
                    + Long.toUnsignedString(n) + " exceeds the cap of " + cap + " bytes ("
                    + ReadLimits.describe(ReadLimits.SAFETENSORS_HEADER_BYTES, cap) + ")");
        }
        if (n > totalBytes - 8) {
            throw new MalformedSafetensorsException(Reason.HEADER_LENGTH, "header length " + n
                    + " exceeds the " + (totalBytes - 8) + " bytes that follow the 8-byte length prefix (file size "
                    + totalBytes + ")");
        }
        byte[] json = src.readBytes((int) n, "the JSON header");
        return HeaderParser.parse(json, totalBytes - 8 - n);
    }

    private static Map<String, INDArray> readAll(ByteSource src, long totalBytes) throws IOException {
        SafetensorsHeader header = readHeader(src, totalBytes);
        Map<String, INDArray> byName = new HashMap<>();
        List<INDArray> allocated = new ArrayList<>();
        boolean ok = false;
        try {
            // Validation guarantees the sorted entries tile the data section, so one sequential pass reads it.
            for (SafetensorsEntry e : header.entriesByOffset()) {
                INDArray arr = Nd4j.createUninitialized(e.dtype().nd4j(), e.shape(), 'c');
                allocated.add(arr);
                fill(src, arr, e);
                byName.put(e.name(), arr);
            }
            ok = true;
        } finally {
            if (!ok) {
                release(allocated);
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : header.entries().keySet()) {
            out.put(name, byName.get(name));
        }
        return out;
    }

    private static void fill(ByteSource src, INDArray arr, SafetensorsEntry e) throws IOException {
        long total = e.byteLength();
        int elementSize = e.dtype().byteSize();
        for (long off = 0; off < total; off += ByteSource.CHUNK) {
            int len = (int) Math.min(ByteSource.CHUNK, total - off);
            ByteBuffer w = NativeWindows.window(arr, off, len);
            src.readFully(w, "the data of tensor " + HeaderParser.quote(e.name()));
            if (!NativeWindows.NATIVE_IS_LITTLE_ENDIAN && elementSize > 1) {
                NativeWindows.swapBytes(w, elementSize);
            }
        }
    }

    /** Frees native memory of arrays read before a failure instead of waiting for GC. */
    private static void release(List<INDArray> arrays) {
        for (INDArray a : arrays) {
            try {
                if (a.closeable()) {
                    a.close();
                }
            } catch (RuntimeException ignored) {
                // best effort: the garbage collector frees it otherwise
            }
        }
    }
}
