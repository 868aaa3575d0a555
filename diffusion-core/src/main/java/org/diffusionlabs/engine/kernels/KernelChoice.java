package org.diffusionlabs.engine.kernels;

/** Resolves {@link Kernels#get()} once per JVM. Placeholder until the implementations land. */
final class KernelChoice {
    static final Kernels INSTANCE = null;

    private KernelChoice() {}
}
