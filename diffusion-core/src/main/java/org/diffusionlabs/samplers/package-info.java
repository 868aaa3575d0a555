/**
 * <b>Sampler</b> (diffusion_labs concept 5): denoises from pure noise through the reverse chain, given a model, a
 * schedule and a predictor — DDPM (with strided eval steps and learned variance) and DDIM (with eta). Samplers are
 * stateless; a loop is an iterator or a single call with a progress callback.
 */
package org.diffusionlabs.samplers;
