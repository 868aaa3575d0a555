package org.diffusionlabs.data;

import org.diffusionlabs.data.MalformedIdxException.Reason;
import org.diffusionlabs.io.CappedInputStream;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.io.ReadLimits;
import org.diffusionlabs.io.Storage;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (e.g. Debian's dataset-fashion-mnist): an image file
 * (magic 0x00000803: unsigned bytes, dims [n, rows, cols]) and a label file (0x00000801: [n]), each plain or
 * gzip'd (detected by the bytes 1f 8b). Images become float32 {@code [n, 1, rows, cols]} with values {@code k/255}.
 *
 * <p>Hostile headers cannot exhaust memory: dimensions are capped, the declared data may not exceed
 * {@link ReadLimits#IDX_BYTES} (1 GiB by default), a plain file's declared size must equal its length and a gzip'd
 * file's must be reachable from its length at deflate's maximum ratio before anything is allocated, a gzip stream
 * may expand only to what its header declares ({@link CappedInputStream}), and streams are read in 1 MiB chunks.
 * Every defect is a {@link MalformedIdxException} naming the file; missing files give {@code NoSuchFileException}.
 * Files come from a {@link Storage} (a local disk, or HDFS, S3, DBFS through Hadoop in the jobs module), a local
 * {@link Path} or a stream.
 */
public final class IdxReader {
    /** Cap on rows and on cols. */
    public static final int MAX_SIDE = 1 << 14;
    /**
     * Hard cap on the number of pixel (or label) bytes of one file, whatever {@link ReadLimits#IDX_BYTES} says:
     * 2^31 − 1 (2 GiB u8, 8 GiB as float32).
     */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;
    /** Deflate's maximum expansion ratio (zlib's figure): a gzip file of n bytes never holds more than 1032·n. */
    static final long MAX_DEFLATE_RATIO = 1032;
    private static final int TYPE_U8 = 0x08;
    private static final String OWNER = "IdxReader";

    private IdxReader() {}

    /** Reads a local image file and its label file; the counts must agree. */
    public static LabeledImages read(Path imagesFile, Path labelsFile) throws IOException {
        Checks.notNull(imagesFile, OWNER, "imagesFile");
        Checks.notNull(labelsFile, OWNER, "labelsFile");
        return read(new LocalStorage(imagesFile), "", new LocalStorage(labelsFile), "");
    }

    /**
     * Reads an image file and its label file, each from its own {@link Storage} (paths relative to it, "" for a
     * storage rooted at the file itself); the counts must agree.
     */
    public static LabeledImages read(Storage images, String imagesPath, Storage labels, String labelsPath)
            throws IOException {
        INDArray x = readImages(images, imagesPath);
        int[] y = readLabels(labels, labelsPath);
        return pair(x, images.location(imagesPath), y, labels.location(labelsPath));
    }

    /** Reads an image stream and a label stream (each one whole IDX file; the streams are not closed). */
    public static LabeledImages read(InputStream images, String imagesName, InputStream labels, String labelsName)
            throws IOException {
        INDArray x = readImages(images, imagesName);
        int[] y = readLabels(labels, labelsName);
        return pair(x, imagesName, y, labelsName);
    }

    /** Reads a local IDX image file into float32 {@code [n, 1, rows, cols]}. */
    public static INDArray readImages(Path file) throws IOException {
        Checks.notNull(file, OWNER, "file");
        return readImages(new LocalStorage(file), "");
    }

    /** Reads an IDX image file of a {@link Storage} into float32 {@code [n, 1, rows, cols]}. */
    public static INDArray readImages(Storage storage, String path) throws IOException {
        String name = existing(storage, path);
        try (InputStream raw = storage.open(path)) {
            return readImages(raw, name, storage.length(path));
        }
    }

    /** Reads an IDX image stream ({@code name} is used in messages; the stream is not closed). */
    public static INDArray readImages(InputStream in, String name) throws IOException {
        Checks.notNull(in, OWNER, "in");
        return readImages(in, String.valueOf(name), -1);
    }

    /** Reads a local IDX label file into an int array. */
    public static int[] readLabels(Path file) throws IOException {
        Checks.notNull(file, OWNER, "file");
        return readLabels(new LocalStorage(file), "");
    }

    /** Reads an IDX label file of a {@link Storage} into an int array. */
    public static int[] readLabels(Storage storage, String path) throws IOException {
        String name = existing(storage, path);
        try (InputStream raw = storage.open(path)) {
            return readLabels(raw, name, storage.length(path));
        }
    }

    /** Reads an IDX label stream ({@code name} is used in messages; the stream is not closed). */
    public static int[] readLabels(InputStream in, String name) throws IOException {
        Checks.notNull(in, OWNER, "in");
        return readLabels(in, String.valueOf(name), -1);
    }

    /** The file's location; {@code NoSuchFileException} naming it when it is absent or a directory. */
    private static String existing(Storage storage, String path) throws IOException {
        Checks.notNull(storage, OWNER, "storage");
        Checks.notNull(path, OWNER, "path");
        String name = storage.location(path);
        if (!storage.exists(path)) {
            throw new NoSuchFileException(name, null, "no such IDX file");
        }
        if (storage.isDirectory(path)) {
            throw new NoSuchFileException(name, null, "is a directory, not an IDX file");
        }
        return name;
    }

    private static LabeledImages pair(INDArray images, String imagesName, int[] labels, String labelsName)
            throws MalformedIdxException {
        if (images.size(0) != labels.length) {
            throw new MalformedIdxException(Reason.COUNT_MISMATCH, labelsName + " has " + labels.length
                    + " labels but " + imagesName + " has " + images.size(0) + " images");
        }
        return new LabeledImages(images, labels);
    }

    private static INDArray readImages(InputStream raw, String name, long fileLength) throws IOException {
        Opened o = open(raw, name, fileLength);
        long[] dims = header(o, name, 3);
        long n = dims[0];
        long rows = dims[1];
        long cols = dims[2];
        if (rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new MalformedIdxException(Reason.BAD_DIMENSIONS, name + ": image size " + rows + "x" + cols
                    + " exceeds the cap of " + MAX_SIDE);
        }
        PixelBuffer px = body(o, name, n, rows * cols, 16);
        return px.toUnitFloats(n, 1, rows, cols);
    }

    private static int[] readLabels(InputStream raw, String name, long fileLength) throws IOException {
        Opened o = open(raw, name, fileLength);
        long n = header(o, name, 1)[0];
        return body(o, name, n, 1, 8).toInts();
    }

    /**
     * An opened IDX stream: {@code length} its exact size when known (plain files), and for gzip the expanded stream's
     * cap and the compressed file's length ({@code -1} when unknown).
     */
    private record Opened(DataInputStream in, long length, CappedInputStream expanded, long gzipLength) {}

    private static Opened open(InputStream raw, String name, long fileLength) throws IOException {
        PushbackInputStream peek = new PushbackInputStream(new BufferedInputStream(raw, 1 << 16), 2);
        byte[] two = peek.readNBytes(2);
        peek.unread(two);
        if (two.length == 2 && (two[0] & 0xFF) == 0x1f && (two[1] & 0xFF) == 0x8b) {
            try {
                // the header is at most 16 bytes; the cap is tightened to what it declares once it is read
                long cap = Math.min(ReadLimits.idxBytes(), Long.MAX_VALUE - 16) + 16;
                CappedInputStream expanded = new CappedInputStream(new GZIPInputStream(peek, 1 << 16), cap,
                        limit -> tooLarge(name, "gzip data expands past " + limit + " bytes", ReadLimits.idxBytes()));
                return new Opened(new DataInputStream(expanded), -1, expanded, fileLength);
            } catch (ZipException e) {
                throw new MalformedIdxException(Reason.BAD_GZIP, name + ": " + e.getMessage(), e);
            } catch (EOFException e) {
                throw new MalformedIdxException(Reason.TRUNCATED, name + ": gzip header cut short", e);
            }
        }
        return new Opened(new DataInputStream(peek), fileLength, null, -1);
    }

    private static long[] header(Opened o, String name, int expectedDims) throws IOException {
        byte[] magic = new byte[4];
        try {
            o.in().readFully(magic);
        } catch (EOFException e) {
            throw new MalformedIdxException(Reason.TRUNCATED, name + ": fewer than 4 bytes, no IDX magic", e);
        } catch (ZipException e) {
            throw new MalformedIdxException(Reason.BAD_GZIP, name + ": " + e.getMessage(), e);
        }
        int type = magic[2] & 0xFF;
        int nDims = magic[3] & 0xFF;
        String hex = String.format("0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
        if (magic[0] != 0 || magic[1] != 0 || nDims != expectedDims) {
            throw new MalformedIdxException(Reason.BAD_MAGIC, name + ": magic " + hex + " is not an IDX "
                    + (expectedDims == 3 ? "image file (0x00000803)" : "label file (0x00000801)"));
        }
        if (type != TYPE_U8) {
            throw new MalformedIdxException(Reason.UNSUPPORTED_TYPE, name + ": magic " + hex + " has element type 0x"
                    + Integer.toHexString(type) + ", only 0x08 (unsigned byte) is supported");
        }
        long[] dims = new long[expectedDims];
        long product = 1;
        for (int i = 0; i < expectedDims; i++) {
            try {
                dims[i] = Integer.toUnsignedLong(o.in().readInt());
            } catch (EOFException e) {
                throw new MalformedIdxException(Reason.TRUNCATED, name + ": header ends before dimension " + i, e);
            } catch (ZipException e) {
                throw new MalformedIdxException(Reason.BAD_GZIP, name + ": " + e.getMessage(), e);
            }
            if (dims[i] == 0) {
                throw new MalformedIdxException(Reason.BAD_DIMENSIONS, name + ": dimension " + i + " is 0");
            }
            product *= Math.min(dims[i], MAX_ELEMENTS + 1); // each factor ≤ 2^31, product checked after each step
            if (product > MAX_ELEMENTS) {
                throw new MalformedIdxException(Reason.BAD_DIMENSIONS, name + ": dimensions "
                        + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " exceed the cap of " + MAX_ELEMENTS + " elements");
            }
        }
        long cap = ReadLimits.idxBytes();
        if (product > cap) {
            throw tooLarge(name, "header declares " + product + " bytes of data " + Arrays.toString(dims), cap);
        }
        boundExpansion(o, name, 4 + 4L * expectedDims + product);
        return dims;
    }

    /** A gzip stream may expand to exactly the {@code declared} bytes of its header, if its file can hold them. */
    private static void boundExpansion(Opened o, String name, long declared) throws MalformedIdxException {
        if (o.expanded() == null) {
            return;
        }
        if (o.gzipLength() >= 0 && declared > MAX_DEFLATE_RATIO * o.gzipLength()) {
            throw new MalformedIdxException(Reason.TRUNCATED, name + ": a " + o.gzipLength() + "-byte gzip file "
                    + "cannot expand to the " + declared + " bytes its header declares (deflate expands at most "
                    + MAX_DEFLATE_RATIO + ":1)");
        }
        o.expanded().limit(declared, limit -> new MalformedIdxException(Reason.SIZE_MISMATCH, name
                + ": trailing bytes after the " + limit + " bytes its header declares (gzip data expands further)"));
    }

    private static MalformedIdxException tooLarge(String name, String what, long cap) {
        return new MalformedIdxException(Reason.TOO_LARGE, name + ": " + what + ", above the cap ("
                + ReadLimits.describe(ReadLimits.IDX_BYTES, cap) + "; raise it for a trusted larger file)");
    }

    private static PixelBuffer body(Opened o, String name, long n, long perItem, long headerBytes) throws IOException {
        long bytes = n * perItem;
        if (o.length() >= 0 && o.length() != headerBytes + bytes) {
            throw new MalformedIdxException(o.length() < headerBytes + bytes ? Reason.TRUNCATED : Reason.SIZE_MISMATCH,
                    name + ": header declares " + (headerBytes + bytes) + " bytes but the file has " + o.length());
        }
        PixelBuffer buf = new PixelBuffer();
        try {
            if (buf.readFrom(o.in(), bytes) < bytes) {
                throw new MalformedIdxException(Reason.TRUNCATED, name + ": data ends after " + buf.size() + " of "
                        + bytes + " declared bytes");
            }
            if (o.in().read() != -1) {
                throw new MalformedIdxException(Reason.SIZE_MISMATCH, name + ": trailing bytes after the "
                        + bytes + " declared data bytes");
            }
        } catch (EOFException e) {
            throw new MalformedIdxException(Reason.TRUNCATED, name + ": gzip data ends after " + buf.size() + " of "
                    + bytes + " declared bytes", e);
        } catch (ZipException e) {
            throw new MalformedIdxException(Reason.BAD_GZIP, name + ": " + e.getMessage(), e);
        }
        return buf;
    }
}
