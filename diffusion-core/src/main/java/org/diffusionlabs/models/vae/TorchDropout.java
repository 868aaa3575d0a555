package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link DropoutNoise#torch}: PyTorch's CPU dropout masks — per element (row-major) a float64 uniform (two 32-bit
 * draws), kept iff below 1 − p, kept values 1/(1 − p) in float32 — written into arena arrays through reused host
 * buffers, one per mask size (nothing allocated after the first step). Not thread-safe, like its Rng.
 */
final class TorchDropout implements DropoutNoise {
    private final Rng rng;
    private final java.util.Map<Integer, float[]> hostBySize = new java.util.HashMap<>();

    TorchDropout(Rng rng) {
        this.rng = rng;
    }

    @Override
    public INDArray mask(Arena arena, double p, long[] shape) {
        if (p == 0) {
            return null;
        }
        INDArray m = arena.take(shape);
        int n = Math.toIntExact(m.length());
        float[] host = hostBySize.computeIfAbsent(n, float[]::new);
        float keep = 1f / (float) (1 - p);
        for (int i = 0; i < n; i++) {
            host[i] = rng.uniformDouble() < 1 - p ? keep : 0f;
        }
        m.data().setData(host);
        return m;
    }
}
