package org.diffusionlabs.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded {@link BufferedImage} → planar float pixels {@code k/255}, as Pillow's {@code convert("L")} /
 * {@code convert("RGB")} would give. Grey images are read from the raster (not {@code getRGB}, which would apply
 * Java's linear-grey → sRGB conversion); colour images via sRGB {@code getRGB}, alpha ignored. RGB → grey uses
 * Pillow's fixed-point ITU-R 601 luma {@code (19595·R + 38470·G + 7471·B + 2^15) >> 16}, i.e.
 * {@code R·299/1000 + G·587/1000 + B·114/1000} rounded to an integer.
 */
final class ImagePixels {
    private ImagePixels() {}

    /** {@code channels} (1 or 3) planes of {@code h·w} values, channel-major. */
    static float[] planar(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[channels * h * w];
        ColorModel cm = img.getColorModel();
        boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel);
        Raster r = img.getRaster();
        double greyMax = grey ? (1 << cm.getComponentSize(0)) - 1 : 255;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = y * w + x;
                if (grey) {
                    float v = PixelBuffer.unit((int) Math.round(r.getSample(x, y, 0) * 255.0 / greyMax));
                    for (int c = 0; c < channels; c++) {
                        out[c * h * w + at] = v;
                    }
                } else {
                    int rgb = img.getRGB(x, y);
                    int red = (rgb >> 16) & 0xFF;
                    int green = (rgb >> 8) & 0xFF;
                    int blue = rgb & 0xFF;
                    if (channels == 1) {
                        out[at] = PixelBuffer.unit(luma(red, green, blue));
                    } else {
                        out[at] = PixelBuffer.unit(red);
                        out[h * w + at] = PixelBuffer.unit(green);
                        out[2 * h * w + at] = PixelBuffer.unit(blue);
                    }
                }
            }
        }
        return out;
    }

    /** Pillow's {@code L24}: ITU-R 601-2 luma in 16-bit fixed point, rounded. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
}
