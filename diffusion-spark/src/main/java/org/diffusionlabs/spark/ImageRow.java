package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;

/**
 * One training example on the wire: a channel-first image {@code [c·h·w]} with values in [−1, 1] and its label.
 *
 * @param pixels channel-first float32 pixels (not copied)
 * @param label  class index ≥ 0
 */
public final class ImageRow implements Serializable {
    private static final long serialVersionUID = 1L;
    private final float[] pixels;
    private final int label;

    // a class, not a record: Spark's Kryo (4.x) cannot create a FieldSerializer for records
    public ImageRow(float[] pixels, int label) {
        this.pixels = Checks.notNull(pixels, "ImageRow", "pixels");
        Checks.require(label >= 0, "ImageRow", "label", label, "must be >= 0");
        this.label = label;
    }

    public float[] pixels() {
        return pixels;
    }

    public int label() {
        return label;
    }
}
