package org.diffusionlabs.nd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's default parameter initialisation for {@code nn.Linear} and {@code nn.Conv2d} (Kaiming-uniform with
 * a = √5 for weights, U(−1/√fan_in, 1/√fan_in) for biases), drawn from an explicit {@link Rng}. With the same seed
 * and construction order it reproduces the reference's initial weights exactly.
 */
public final class TorchInit {
    private TorchInit() {}

    /** Weight of shape {@code shape} (PyTorch layout, fan_in = product of all dims but the first). */
    public static INDArray weight(Rng rng, long... shape) {
        double gain = Math.sqrt(2.0 / (1 + 5));
        double bound = Math.sqrt(3.0) * (gain / Math.sqrt(fanIn(shape)));
        return rng.uniform(-bound, bound, shape);
    }

    /** Bias of length {@code n} for a layer with the given fan-in. */
    public static INDArray bias(Rng rng, long n, long fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        return rng.uniform(-bound, bound, n);
    }

    /** in_features for a linear weight [out, in]; in·kh·kw for a conv weight [out, in, kh, kw]. */
    public static long fanIn(long... shape) {
        Checks.require(shape.length >= 2, "TorchInit", "shape", shape, "needs at least 2 dimensions");
        long f = 1;
        for (int i = 1; i < shape.length; i++) {
            f *= shape[i];
        }
        return f;
    }
}
