/**
 * Losses of diffusion training: the simple MSE on the prediction, the variational lower bound (VLB, bits per
 * dimension) and the hybrid loss MSE + λ·VLB of Improved DDPM (Nichol and Dhariwal 2021).
 */
package org.diffusionlabs.losses;
