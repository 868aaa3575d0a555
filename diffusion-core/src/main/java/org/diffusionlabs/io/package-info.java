/**
 * Weight and checkpoint I/O: safetensors files with the reference PyTorch names, read by streaming and validated
 * so a malformed or hostile file gives a typed error.
 */
package org.diffusionlabs.io;
