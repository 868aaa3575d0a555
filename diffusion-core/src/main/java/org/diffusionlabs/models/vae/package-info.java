/**
 * The LDM autoencoder (diffusion_labs {@code models/vae}): a ResNet encoder to a diagonal Gaussian posterior over
 * latents and a ResNet decoder back to images, on the engine ({@code engine.nn}) with explicit forward and backward
 * passes, PyTorch state-dict names and PyTorch's seeded initial weights.
 */
package org.diffusionlabs.models.vae;
