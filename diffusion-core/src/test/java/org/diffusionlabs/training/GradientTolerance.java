package org.diffusionlabs.training;

import java.util.Set;

/**
 * Tolerance for gradients against the PyTorch golden: 1e-4 of the tensor's largest |value| plus 1e-7, and for the
 * six biases whose true gradient is zero (a per-channel constant removed by a one-channel-per-group GroupNorm; the
 * golden values are rounding noise of ~1e-8) an absolute 1e-6.
 */
final class GradientTolerance {
    private static final Set<String> ZERO = Set.of(
            "down.1._module_list.0.in_block.3.bias", "down.2._module_list.0.in_block.3.bias",
            "up.4._module_list.0.in_block.3.bias", "up.5._module_list.0.in_block.3.bias",
            "up.5._module_list.0.out_block.2.bias", "up.5._module_list.0.skip_block.1.bias");

    private GradientTolerance() {}

    static boolean isZero(String name) {
        return ZERO.contains(name);
    }

    static double of(String name, double maxAbsRef) {
        return ZERO.contains(name) ? 1e-6 : 1e-4 * maxAbsRef + 1e-7;
    }
}
