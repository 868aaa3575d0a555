/**
 * Small ND4J helpers with no diffusion knowledge: argument checks, the PyTorch-compatible random generator and its
 * default layer initialisation, per-sample coefficient gathering, linspace, and image interpolation (PyTorch's and
 * Pillow's 8-bit resampling).
 */
package org.diffusionlabs.nd;
