package org.diffusionlabs.spark;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * PNG bytes of one generated image given as channel-first c·h·w float values in [−1, 1]: grey for one channel, RGB
 * for three, each value clamped (NaN as −1) and mapped to round((x + 1)/2·255), as the jobs' {@code PngImages} does.
 */
public final class Pngs {
    private Pngs() {}

    public static byte[] png(float[] chw, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Pngs parameter channels given invalid value " + channels + ": must be 1 or 3");
        }
        if (chw.length != channels * height * width) {
            throw new IllegalArgumentException("Pngs parameter chw given " + chw.length + " values, expected "
                    + channels + "·" + height + "·" + width);
        }
        int plane = height * width;
        BufferedImage img = new BufferedImage(width, height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        int[] px = new int[plane * channels];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                px[i * channels + c] = level(chw[c * plane + i]);
            }
        }
        img.getRaster().setPixels(0, 0, width, height, px);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int level(float v) {
        float x = Float.isNaN(v) ? -1f : Math.max(-1f, Math.min(1f, v));
        return Math.round((x + 1f) / 2f * 255f);
    }
}
