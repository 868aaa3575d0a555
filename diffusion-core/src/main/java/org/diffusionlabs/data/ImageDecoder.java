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
import java.util.Iterator;

/**
 * One image to the shape an {@link ImageOptions} asks for, as planar floats {@code [channels][height][width]} in
 * [0, 1]. Encoded bytes (PNG, JPEG, anything {@code javax.imageio} reads) are decoded and converted to grey or RGB
 * like Pillow ({@link ImagePixels}); pixels already decoded by a table reader go through {@link #fit}. Other sizes
 * are resized with {@link Resize}'s bilinear filter when allowed. Every failure is an {@link InvalidImageException}
 * naming the file (and row), so readers can apply {@link OnInvalid} to it.
 */
public final class ImageDecoder {
    /** Cap on width·height of one image, checked before decoding (decompression bombs). */
    public static final long MAX_PIXELS = 1L << 26;
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
        if (height <= 0 || width <= 0 || (long) height * width > MAX_PIXELS) {
            throw new InvalidImageException(file, row, "image size " + width + "x" + height
                    + " (width x height) is empty or exceeds " + MAX_PIXELS + " pixels", null);
        }
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

    private static BufferedImage read(byte[] bytes, String file, long row, ImageOptions o)
            throws InvalidImageException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException(file, row, "not a decodable image (no ImageIO decoder recognises it)",
                        null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > MAX_PIXELS || w <= 0 || h <= 0) {
                    throw new InvalidImageException(file, row, "image size " + w + "x" + h
                            + " (width x height) exceeds " + MAX_PIXELS + " pixels", null);
                }
                if (!o.resize() && (h != o.height() || w != o.width())) {
                    throw sizeError(file, row, w, h, o);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new InvalidImageException(file, row, "decoder returned no image", null);
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(file, row, "cannot be decoded: " + e, e);
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
