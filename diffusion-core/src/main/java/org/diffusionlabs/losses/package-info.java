/**
 * Losses of diffusion training: the simple MSE on the prediction, the variational lower bound (VLB, bits per
 * dimension) and the hybrid loss MSE + λ·VLB of Improved DDPM (Nichol and Dhariwal 2021); and the VAE's
 * reconstruction + KL loss.
 */
package org.diffusionlabs.losses;
