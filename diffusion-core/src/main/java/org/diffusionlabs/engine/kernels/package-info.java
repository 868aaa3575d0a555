/**
 * The engine's kernels: fused element-wise and normalisation work (GroupNorm + FiLM + SiLU, dropout, AdamW + EMA)
 * behind {@link org.diffusionlabs.engine.kernels.Kernels}, with a Java Vector API implementation for CPUs and a
 * composed-ND4J twin for other backends.
 */
package org.diffusionlabs.engine.kernels;
