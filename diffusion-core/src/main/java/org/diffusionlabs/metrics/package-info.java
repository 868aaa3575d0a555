/**
 * Sample-quality metrics for trained diffusion models: {@link org.diffusionlabs.metrics.DigitClassifier}, a small
 * convolutional MNIST classifier trained by us on a held-out split (so it has never seen the digits the diffusion model
 * learned from), the per-label accuracy of conditional samples it yields, and the Fréchet distance between its
 * penultimate-layer features of generated and real images (FID's construction with our network in place of
 * Inception).
 */
package org.diffusionlabs.metrics;
