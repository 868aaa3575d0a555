package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;

/**
 * One training example on the wire: a channel-first image {@code [c·h·w]} with values in [−1, 1] and its condition,
 * a class label or (for a model conditioned on given vectors) a condition vector.
 */
public final class ImageRow implements Serializable {
    private static final long serialVersionUID = 2L;
    private final float[] pixels;
    private final int label;
    private final float[] embedding;

    // a class, not a record: Spark's Kryo (4.x) cannot create a FieldSerializer for records

    /**
     * @param pixels channel-first float32 pixels (not copied)
     * @param label  class index ≥ 0
     */
    public ImageRow(float[] pixels, int label) {
        this.pixels = Checks.notNull(pixels, "ImageRow", "pixels");
        Checks.require(label >= 0, "ImageRow", "label", label, "must be >= 0");
        this.label = label;
        this.embedding = null;
    }

    /**
     * @param pixels    channel-first float32 pixels (not copied)
     * @param embedding the condition vector (not copied)
     */
    public ImageRow(float[] pixels, float[] embedding) {
        this.pixels = Checks.notNull(pixels, "ImageRow", "pixels");
        this.embedding = Checks.notNull(embedding, "ImageRow", "embedding");
        this.label = 0;
    }

    public float[] pixels() {
        return pixels;
    }

    /** The class label (0 for a row with a condition vector). */
    public int label() {
        return label;
    }

    /** The condition vector, or null for a labelled row. */
    public float[] embedding() {
        return embedding;
    }
}
