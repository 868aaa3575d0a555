package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The dropout masks the reference tests' expected numbers embed (older PyTorch with MKL on Intel, spec Appendix
 * A.6): per site one 32-bit draw seeds a Lehmer generator (m = 2³¹ − 1, a = 1132489760, x0 = seed mod m, 0 → 1);
 * element k (row-major) is kept iff x_k / m < 1 − p, kept values 1/(1 − p) in float32.
 */
final class MklDropout implements DropoutNoise {
    private static final long M = 2147483647L;
    private static final long A = 1132489760L;
    private final Rng rng;

    MklDropout(Rng rng) {
        this.rng = rng;
    }

    @Override
    public INDArray mask(Arena arena, double p, long[] shape) {
        long x = rng.nextUnsigned32() % M;
        if (x == 0) {
            x = 1;
        }
        INDArray m = arena.take(shape);
        float keep = 1f / (float) (1 - p);
        float[] v = new float[Math.toIntExact(m.length())];
        for (int k = 0; k < v.length; k++) {
            v[k] = (double) x / M < 1 - p ? keep : 0f;
            x = A * x % M;
        }
        m.data().setData(v);
        return m;
    }
}
