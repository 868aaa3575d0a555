/**
 * <b>Transform</b> (diffusion_labs concept 6): batch in, batch out, stackable with
 * {@link org.diffusionlabs.transforms.Transform#compose}: random diffusion steps, the v target, super-resolution
 * low-res inputs, inpainting masks and the Dalle2 image preprocessing (Pillow-exact resize, crop, normalise).
 * Randomness comes from the {@link org.diffusionlabs.nd.Rng} passed in.
 */
package org.diffusionlabs.transforms;
