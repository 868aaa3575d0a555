package org.diffusionlabs.spark;

import java.io.Serializable;

/**
 * What a partition needs to generate images, as plain values: sampler kind ({@code ddim} or {@code ddpm}), steps, DDIM
 * eta, guidance strength, noise seed, rows per forward batch and the image size. A class (not a record) because
 * Spark's Kryo cannot serialise records.
 */
public final class SamplingSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    final String sampler;
    final int steps;
    final double eta;
    final double guidance;
    final long seed;
    final int batchSize;
    final int imageSize;

    SamplingSettings(String sampler, int steps, double eta, double guidance, long seed, int batchSize, int imageSize) {
        this.sampler = sampler;
        this.steps = steps;
        this.eta = eta;
        this.guidance = guidance;
        this.seed = seed;
        this.batchSize = batchSize;
        this.imageSize = imageSize;
    }
}
