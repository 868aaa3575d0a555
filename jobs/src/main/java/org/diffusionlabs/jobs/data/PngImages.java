package org.diffusionlabs.jobs.data;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Grayscale PNGs of generated images: values in [−1, 1] map to 0..255 by round((x + 1)/2·255) after clamping (the
 * reference tutorial's {@code (grid + 1)/2} display), and a grid of many images with 2-pixel padding, as
 * torchvision's {@code make_grid} lays them out.
 */
public final class PngImages {
    private PngImages() {}

    /** One image [1, h, w] (or [h, w]) as PNG bytes. */
    public static byte[] png(INDArray image) {
        INDArray img = image.rank() == 3 ? image.reshape(image.size(1), image.size(2)) : image;
        Checks.require(img.rank() == 2, "PngImages", "image", java.util.Arrays.toString(image.shape()),
                "must be [1, h, w] or [h, w] (grayscale)");
        return encode(toGray(img));
    }

    /**
     * A grid of images [n, 1, h, w] with {@code columns} per row and {@code padding} pixels between (and around)
     * them, black background.
     */
    public static byte[] grid(INDArray images, int columns, int padding) {
        Checks.require(images.rank() == 4 && images.size(1) == 1, "PngImages", "images",
                java.util.Arrays.toString(images.shape()), "must be [n, 1, h, w]");
        Checks.positive(columns, "PngImages", "columns");
        int n = Math.toIntExact(images.size(0));
        int h = Math.toIntExact(images.size(2));
        int w = Math.toIntExact(images.size(3));
        int rows = (n + columns - 1) / columns;
        int cols = Math.min(n, columns);
        BufferedImage grid = new BufferedImage(cols * (w + padding) + padding, rows * (h + padding) + padding,
                BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = grid.getRaster();
        for (int i = 0; i < n; i++) {
            int[] pixels = pixels(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).reshape(h, w));
            raster.setPixels(padding + (i % columns) * (w + padding), padding + (i / columns) * (h + padding), w, h, pixels);
        }
        return encode(grid);
    }

    private static BufferedImage toGray(INDArray img) {
        int h = Math.toIntExact(img.size(0));
        int w = Math.toIntExact(img.size(1));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setPixels(0, 0, w, h, pixels(img));
        return out;
    }

    /** Row-major 0..255 values of an image in [−1, 1]. */
    static int[] pixels(INDArray img) {
        float[] v = img.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] p = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float x = Float.isNaN(v[i]) ? -1f : Math.max(-1f, Math.min(1f, v[i]));
            p[i] = Math.round((x + 1f) / 2f * 255f);
        }
        return p;
    }

    /** PNG bytes of any image. */
    public static byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
