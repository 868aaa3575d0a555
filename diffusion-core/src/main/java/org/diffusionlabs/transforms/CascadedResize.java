package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.PillowResample;

/**
 * The reference's {@code cascaded_resize} ({@code utils/common.py}, spec §12): halve the image with PIL's BOX filter
 * while its shorter side is at least twice the target, then one BICUBIC resize that brings the shorter side to
 * {@code resolution} (the other side scaled alike, rounded half to even). Averaging by halves first keeps large
 * reductions from aliasing, which one bicubic step over a big factor would not fully avoid.
 */
public final class CascadedResize {
    private CascadedResize() {}

    /** The resized image: its shorter side is {@code resolution}. */
    public static PillowImage apply(PillowImage image, int resolution) {
        Checks.notNull(image, "CascadedResize", "image");
        Checks.positive(resolution, "CascadedResize", "resolution");
        PillowImage im = image;
        while (Math.min(im.width(), im.height()) >= 2 * resolution) {
            im = im.resize(im.width() / 2, im.height() / 2, PillowResample.Filter.BOX);
        }
        double scale = (double) resolution / Math.min(im.width(), im.height());
        return im.resize((int) Math.rint(im.width() * scale), (int) Math.rint(im.height() * scale),
                PillowResample.Filter.BICUBIC);
    }
}
