package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * One image to the shape an {@link ImageOptions} asks for, as planar floats {@code [channels][height][width]} in
 * [0, 1]. Encoded bytes (PNG, JPEG — through TwelveMonkeys' reader, so CMYK, YCCK and damaged files too
 * ({@link JpegPlugin}) — anything {@code javax.imageio} reads) are decoded and converted to grey or RGB like Pillow
 * ({@link ImagePixels}); pixels already decoded by a table reader go through {@link #fit}. Other sizes
 * are resized with {@link Resize}'s bilinear filter when allowed. Every failure is an {@link InvalidImageException}
 * naming the file (and row), so readers can apply {@link OnInvalid} to it; that includes an image whose header
 * declares more than the {@link ImageHeader} caps, which is refused before its decoder allocates anything.
 */
public final class ImageDecoder {
    /** Cap on the encoded size of one image: 256 MiB. */
    public static final int MAX_BYTES = 1 << 28;
    private static final String OWNER = "ImageDecoder";

    private ImageDecoder() {}

    /**
     * Decodes one encoded image.
     *
     * @param file its location (or that of the table holding it), for messages
     * @param row  its 0-based row in a table file, or −1 for an image file
     */
    public static float[] decode(byte[] bytes, String file, long row, ImageOptions o) throws InvalidImageException {
        Checks.notNull(bytes, OWNER, "bytes");
        Checks.notNull(o, OWNER, "o");
        BufferedImage img = read(bytes, file, row, o);
        boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(img.getColorModel() instanceof IndexColorModel);
        if (!o.convertColor() && grey != (o.channels() == 1)) {
            throw new InvalidImageException(file, row, (grey ? "grey image (1 channel)" : "colour image (3 channels)")
                    + " but " + o.channels() + " channel(s) expected and colour conversion is off", null);
        }
        return resized(ImagePixels.planar(img, o.channels()), img.getHeight(), img.getWidth(), o);
    }

    /**
     * Fits decoded planar pixels {@code [channels][height][width]} (values in [0, 1], channels 1 or 3) to the
     * options: grey ↔ RGB when colour conversion is on (RGB → grey by the ITU-R 601 weights of
     * {@link ImagePixels#luma}, not rounded to 8 bits), then resized when allowed.
     */
    public static float[] fit(float[] planar, int channels, int height, int width, String file, long row,
                              ImageOptions o) throws InvalidImageException {
        Checks.notNull(planar, OWNER, "planar");
        Checks.notNull(o, OWNER, "o");
        Checks.require(channels == 1 || channels == 3, OWNER, "channels", channels, "must be 1 or 3");
        ImageHeader.checkPixels(width, height, file, row);
        Checks.require(planar.length == channels * height * width, OWNER, "planar.length", planar.length,
                "must be channels·height·width = " + channels * height * width);
        float[] px = planar;
        if (channels != o.channels()) {
            if (!o.convertColor()) {
                throw new InvalidImageException(file, row, "image has " + channels + " channel(s) but "
                        + o.channels() + " expected and colour conversion is off", null);
            }
            px = channels == 1 ? replicate(planar, height * width) : luma(planar, height * width);
        }
        if (!o.resize() && (height != o.height() || width != o.width())) {
            throw sizeError(file, row, width, height, o);
        }
        return resized(px, height, width, o);
    }

    /**
     * Reads only the header of an encoded image from a stream (not closed) and checks it against the caps, e.g. to
     * learn the stored size of an image a reader has already decoded.
     */
    public static ImageHeader header(InputStream encoded, String file) throws InvalidImageException {
        Checks.notNull(encoded, OWNER, "encoded");
        ImageInputStream in = new MemoryCacheImageInputStream(encoded);
        ImageReader reader = reader(in, file, -1);
        try {
            ImageHeader h = decoding(file, -1, () -> ImageHeader.of(reader));
            h.check(file, -1);
            return h;
        } finally {
            release(reader, in);
        }
    }

    /** The header is checked outside {@link #decoding}, so a bad cap setting is not taken for a bad image. */
    private static BufferedImage read(byte[] bytes, String file, long row, ImageOptions o)
            throws InvalidImageException {
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        ImageReader reader = reader(in, file, row);
        try {
            ImageHeader h = decoding(file, row, () -> ImageHeader.of(reader));
            h.check(file, row);
            if (!o.resize() && (h.height() != o.height() || h.width() != o.width())) {
                throw sizeError(file, row, h.width(), h.height(), o);
            }
            BufferedImage img = decoding(file, row, () -> reader.read(0));
            if (img == null) {
                throw new InvalidImageException(file, row, "decoder returned no image", null);
            }
            return img;
        } finally {
            release(reader, in);
        }
    }

    /**
     * The first ImageIO decoder that recognises the stream, its input set (nothing decoded yet); for JPEG that is
     * TwelveMonkeys' reader ({@link JpegPlugin}).
     */
    private static ImageReader reader(ImageInputStream in, String file, long row) throws InvalidImageException {
        JpegPlugin.ensureRegistered();
        Iterator<ImageReader> readers = decoding(file, row, () -> ImageIO.getImageReaders(in));
        if (!readers.hasNext()) {
            release(null, in);
            throw new InvalidImageException(file, row, "not a decodable image (no ImageIO decoder recognises it)",
                    null);
        }
        ImageReader reader = readers.next();
        reader.setInput(in, true, true);
        return reader;
    }

    /** A decoder step that may throw anything. */
    private interface Step<T> {
        T run() throws IOException;
    }

    /** Runs a decoder step, turning its failures into an {@link InvalidImageException} naming the file. */
    private static <T> T decoding(String file, long row, Step<T> step) throws InvalidImageException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(file, row, "cannot be decoded: " + e, e);
        }
    }

    private static void release(ImageReader reader, ImageInputStream in) {
        if (reader != null) {
            reader.dispose();
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // a memory cache: nothing to release that the garbage collector does not
        }
    }

    private static InvalidImageException sizeError(String file, long row, int w, int h, ImageOptions o) {
        return new InvalidImageException(file, row, "image size " + w + "x" + h + " (width x height), expected "
                + o.width() + "x" + o.height(), null);
    }

    private static float[] resized(float[] px, int h, int w, ImageOptions o) {
        if (h == o.height() && w == o.width()) {
            return px;
        }
        float[] out = new float[o.pixels()];
        float[] plane = new float[h * w];
        for (int c = 0; c < o.channels(); c++) {
            System.arraycopy(px, c * h * w, plane, 0, h * w);
            float[] r = Resize.plane(plane, h, w, o.height(), o.width());
            System.arraycopy(r, 0, out, c * r.length, r.length);
        }
        return out;
    }

    private static float[] replicate(float[] grey, int plane) {
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(grey, 0, out, c * plane, plane);
        }
        return out;
    }

    private static float[] luma(float[] rgb, int plane) {
        float[] out = new float[plane];
        for (int i = 0; i < plane; i++) {
            out[i] = (float) ((19595.0 * rgb[i] + 38470.0 * rgb[plane + i] + 7471.0 * rgb[2 * plane + i]) / 65536.0);
        }
        return out;
    }
}
