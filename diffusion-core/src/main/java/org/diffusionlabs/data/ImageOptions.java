package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;

/**
 * What the image readers produce: {@code channels} 1 (grey) or 3 (RGB) of {@code height × width}; {@code resize}
 * other sizes (Pillow's bilinear filter) instead of rejecting them; {@code convertColor} grey ↔ RGB (otherwise an
 * image whose channel count differs from {@code channels} is invalid); and what to do with invalid images.
 */
public record ImageOptions(int channels, int height, int width, boolean resize, boolean convertColor,
                           OnInvalid onInvalid) {
    private static final String OWNER = "ImageOptions";

    public ImageOptions {
        Checks.require(channels == 1 || channels == 3, OWNER, "channels", channels, "must be 1 or 3");
        Checks.require(height > 0 && height <= 1 << 14, OWNER, "height", height, "must be in [1, 16384]");
        Checks.require(width > 0 && width <= 1 << 14, OWNER, "width", width, "must be in [1, 16384]");
        Checks.notNull(onInvalid, OWNER, "onInvalid");
    }

    /** Grey images of exactly {@code height × width}, colour converted, invalid images an error. */
    public static ImageOptions grey(int height, int width) {
        return new ImageOptions(1, height, width, false, true, OnInvalid.ERROR);
    }

    /** RGB images of exactly {@code height × width}, colour converted, invalid images an error. */
    public static ImageOptions rgb(int height, int width) {
        return new ImageOptions(3, height, width, false, true, OnInvalid.ERROR);
    }

    public ImageOptions withResize(boolean on) {
        return new ImageOptions(channels, height, width, on, convertColor, onInvalid);
    }

    public ImageOptions withConvertColor(boolean on) {
        return new ImageOptions(channels, height, width, resize, on, onInvalid);
    }

    public ImageOptions withOnInvalid(OnInvalid policy) {
        return new ImageOptions(channels, height, width, resize, convertColor, policy);
    }

    /** Floats per image: channels · height · width. */
    public int pixels() {
        return channels * height * width;
    }
}
