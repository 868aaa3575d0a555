package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes F32 safetensors files: a space-padded (multiple of 8) JSON header followed by each tensor's
 * C-order little-endian bytes, streamed from native memory in 1 MiB chunks. Kept apart from the reader
 * so each stays small; used through {@link Safetensors}.
 */
final class SafetensorsWriter {
    private static final String OWNER = "Safetensors.write";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    static void write(Map<String, INDArray> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        Checks.notNull(out, OWNER, "out");
        byte[] header = header(tensors, metadata);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        byte[] chunk = null;
        for (INDArray arr : tensors.values()) {
            long bytes = arr.length() * 4L;
            if (bytes == 0) {
                continue;
            }
            INDArray c = isPlainCOrder(arr) ? arr : arr.dup('c');
            if (chunk == null) {
                chunk = new byte[ByteSource.CHUNK];
            }
            for (long off = 0; off < bytes; off += chunk.length) {
                int len = (int) Math.min(chunk.length, bytes - off);
                NativeWindows.window(c, off, len).get(chunk, 0, len);
                if (!NativeWindows.NATIVE_IS_LITTLE_ENDIAN) {
                    NativeWindows.swapBytes(chunk, len, 4);
                }
                out.write(chunk, 0, len);
            }
        }
        out.flush();
    }

    static void write(Map<String, INDArray> tensors, Map<String, String> metadata, Path path) throws IOException {
        Checks.notNull(path, OWNER, "path");
        header(tensors, metadata); // validate arguments before touching the file system
        Path abs = path.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(tensors, metadata, os);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Validates the arguments and builds the padded header bytes. */
    static byte[] header(Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        Checks.notNull(tensors, OWNER, "tensors");
        Map<String, Object> json = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                Checks.notNull(m.getKey(), OWNER, "metadata key");
                Checks.notNull(m.getValue(), OWNER, "metadata[" + m.getKey() + "]");
            }
            // sorted: the same content gives the same bytes whatever the map's iteration order (Map.of varies per JVM)
            json.put(HeaderParser.METADATA_KEY, new TreeMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            String name = Checks.notNull(t.getKey(), OWNER, "tensor name");
            Checks.require(!name.equals(HeaderParser.METADATA_KEY), OWNER, "tensor name", name,
                    "is reserved for metadata");
            INDArray arr = Checks.notNull(t.getValue(), OWNER, "tensors[" + name + "]");
            Checks.require(arr.dataType() == DataType.FLOAT, OWNER, "tensors[" + name + "]", arr.dataType(),
                    "only FLOAT (F32) arrays can be written; convert with castTo(DataType.FLOAT)");
            long bytes = arr.length() * 4L;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", SafetensorsDtype.F32.code());
            entry.put("shape", arr.shape());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            json.put(name, entry);
            offset += bytes;
        }
        byte[] raw = JSON.writeValueAsBytes(json);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        for (int i = raw.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /** True when the array's buffer holds exactly its elements in C order from offset 0. */
    private static boolean isPlainCOrder(INDArray arr) {
        return !arr.isView() && arr.offset() == 0 && arr.data().offset() == 0
                && arr.data().length() == arr.length()
                && (arr.length() == 1 || arr.ordering() == 'c'
                && Arrays.equals(arr.stride(), Nd4j.getStrides(arr.shape(), 'c')));
    }
}
