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

    /** The gradients of {@code grads} that differ from the golden {@code grad.model.<name>} beyond {@link #of}, and how many were compared. */
    static java.util.Map.Entry<Integer, java.util.List<String>> mismatches(java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> grads,
                                                                          java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> golden) {
        java.util.List<String> bad = new java.util.ArrayList<>();
        int checked = 0;
        for (java.util.Map.Entry<String, org.nd4j.linalg.api.ndarray.INDArray> e : grads.entrySet()) {
            org.nd4j.linalg.api.ndarray.INDArray ref = golden.get("grad.model." + e.getKey());
            if (ref == null) {
                continue;
            }
            checked++;
            double max = ref.amaxNumber().doubleValue();
            double diff = ref.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .sub(e.getValue().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).amaxNumber().doubleValue();
            if (!(diff <= of(e.getKey(), max))) {
                bad.add(e.getKey() + " maxdiff " + diff + " (max|ref| " + max + ")");
            }
        }
        return java.util.Map.entry(checked, bad);
    }
}
