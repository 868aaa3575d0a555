package org.diffusionlabs.data;

import org.diffusionlabs.io.ReadLimits;

import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.util.Iterator;

/**
 * What an encoded image declares before it is decoded: width and height (a PNG's IHDR, a JPEG's SOF), channels and
 * bytes per sample of the raster its decoder would allocate. {@link #check} holds them against
 * {@link ReadLimits#IMAGE_PIXELS} and {@link ReadLimits#IMAGE_DECODED_BYTES}, so a small file declaring a huge image
 * is an {@link InvalidImageException} ({@link OnInvalid} applies) instead of an OutOfMemoryError.
 */
public record ImageHeader(int width, int height, int channels, int bytesPerSample) {
    /** Reads the header of image 0 of a reader whose input is set; nothing is decoded. */
    static ImageHeader of(ImageReader reader) throws IOException {
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        if (type == null) {
            return new ImageHeader(w, h, 4, 1); // unknown layout: assume ARGB bytes
        }
        SampleModel sm = type.getSampleModel();
        int bits = 1;
        for (int b = 0; b < sm.getNumBands(); b++) {
            bits = Math.max(bits, sm.getSampleSize(b));
        }
        return new ImageHeader(w, h, sm.getNumBands(), (bits + 7) / 8);
    }

    /** Width × height. */
    public long pixels() {
        return (long) width * height;
    }

    /** Bytes of the decoded raster: width × height × channels × bytes per sample. */
    public long decodedBytes() {
        return pixels() * channels * bytesPerSample;
    }

    /** Throws unless the image is non-empty and within both caps; {@code row} as in {@link InvalidImageException}. */
    public void check(String file, long row) throws InvalidImageException {
        checkPixels(width, height, file, row);
        long maxBytes = ReadLimits.imageDecodedBytes();
        if (decodedBytes() > maxBytes) {
            throw new InvalidImageException(file, row, size(width, height) + " of " + channels + " channel(s) x "
                    + bytesPerSample + " byte(s) decodes to " + decodedBytes() + " bytes, above the cap ("
                    + ReadLimits.describe(ReadLimits.IMAGE_DECODED_BYTES, maxBytes) + ")", null);
        }
    }

    /**
     * Throws unless {@code width × height} is non-empty and within {@link ReadLimits#IMAGE_PIXELS}: for images whose
     * samples are already in memory (number lists, Spark's image struct), where only the work ahead is bounded.
     */
    public static void checkPixels(long width, long height, String file, long row) throws InvalidImageException {
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(file, row, size(width, height) + " is empty", null);
        }
        long maxPixels = ReadLimits.imagePixels();
        if (width * height > maxPixels) {
            throw new InvalidImageException(file, row, size(width, height) + " is " + width * height
                    + " pixels, above the cap (" + ReadLimits.describe(ReadLimits.IMAGE_PIXELS, maxPixels) + ")", null);
        }
    }

    private static String size(long width, long height) {
        return "image size " + width + "x" + height + " (width x height)";
    }
}
