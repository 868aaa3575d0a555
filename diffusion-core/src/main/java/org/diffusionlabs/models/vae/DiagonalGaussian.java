package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * The VAE's posterior over latents, a normal distribution with a diagonal covariance: mean μ, log-variance clamped
 * to [{@value #LOG_VARIANCE_MIN}, {@value #LOG_VARIANCE_MAX}] and σ = exp(logvar / 2), all [b, E, h, w] float32.
 * The encoder's output holds μ in its first E channels and the log-variance in the last E.
 */
public record DiagonalGaussian(INDArray mean, INDArray logVariance, INDArray stddev) {
    public static final double LOG_VARIANCE_MIN = -30.0;
    public static final double LOG_VARIANCE_MAX = 20.0;

    public DiagonalGaussian {
        Checks.notNull(mean, "DiagonalGaussian", "mean");
        Checks.require(Arrays.equals(mean.shape(), logVariance.shape()) && Arrays.equals(mean.shape(), stddev.shape()),
                "DiagonalGaussian", "shapes", Arrays.toString(logVariance.shape()) + "/" + Arrays.toString(stddev.shape()),
                "must equal the mean's " + Arrays.toString(mean.shape()));
    }

    /** The posterior of encoder moments {@code h} [b, 2E, h, w], in new arrays. */
    public static DiagonalGaussian fromMoments(INDArray h) {
        Checks.require(h.rank() == 4 && h.size(1) % 2 == 0, "DiagonalGaussian", "moments", Arrays.toString(h.shape()),
                "must be [b, 2·E, h, w]");
        long e = h.size(1) / 2;
        long[] shape = {h.size(0), e, h.size(2), h.size(3)};
        DiagonalGaussian g = new DiagonalGaussian(Nd4j.create(DataType.FLOAT, shape),
                Nd4j.create(DataType.FLOAT, shape), Nd4j.create(DataType.FLOAT, shape));
        g.fill(h);
        return g;
    }

    /** Writes this posterior's arrays from moments {@code h} (in place: the engine's preallocated arrays). */
    void fill(INDArray h) {
        long e = mean.size(1);
        mean.assign(h.get(channels(0, e)));
        logVariance.assign(h.get(channels(e, 2 * e)));
        Transforms.max(logVariance, LOG_VARIANCE_MIN, false);
        Transforms.min(logVariance, LOG_VARIANCE_MAX, false);
        stddev.assign(logVariance).divi(2.0);
        Transforms.exp(stddev, false);
    }

    /** The mode (= the mean). */
    public INDArray mode() {
        return mean;
    }

    /** The reparameterised sample μ + ε·σ for a given ε of the mean's shape (a new array). */
    public INDArray sample(INDArray noise) {
        Checks.require(Arrays.equals(noise.shape(), mean.shape()), "DiagonalGaussian", "noise",
                Arrays.toString(noise.shape()), "must have the mean's shape " + Arrays.toString(mean.shape()));
        return noise.castTo(DataType.FLOAT).mul(stddev).addi(mean);
    }

    /** μ + ε·σ with ε ~ N(0, I) drawn from {@code rng} as PyTorch's {@code rsample} draws it. */
    public INDArray sample(Rng rng) {
        return sample(rng.randn(mean.shape()));
    }

    /**
     * Element-wise KL divergence to N(0, I), as {@code torch.distributions.kl_divergence(posterior, Normal(0, 1))}
     * computes it: 0.5·(σ² + μ² − 1 − ln σ²) (a new array).
     */
    public INDArray kl() {
        INDArray var = stddev.mul(stddev);
        INDArray out = var.add(mean.mul(mean)).subi(1.0).subi(Transforms.log(var, true));
        return out.muli(0.5);
    }

    /**
     * The gradient of the encoder moments {@code h} [b, 2E, h, w] this posterior came from, given the gradients of
     * what it produced: the latent z = μ + ε·σ (or μ when {@code noise} is null), and extra gradients of μ and of
     * the clamped log-variance (null for none). The log-variance half passes the clamp only where the raw value lies
     * within the bounds (PyTorch's clamp gradient, bounds included).
     *
     * @param dh      [b, 2E, h, w] output (written)
     * @param scratch [b, E, h, w] work array
     */
    public void backward(INDArray h, INDArray noise, INDArray dz, INDArray dMean, INDArray dLogVariance, INDArray dh,
                         INDArray scratch) {
        long e = mean.size(1);
        INDArray dMeanPart = dh.get(channels(0, e));
        dMeanPart.assign(dz);
        if (dMean != null) {
            dMeanPart.addi(dMean);
        }
        INDArray dLv = dh.get(channels(e, 2 * e));
        if (noise != null) {
            // σ = exp(logvar / 2): d logvar = dz·ε·σ/2
            dLv.assign(dz).muli(noise).muli(stddev).muli(0.5);
        } else {
            dLv.assign(0);
        }
        if (dLogVariance != null) {
            dLv.addi(dLogVariance);
        }
        // 1 where clamping changed nothing (raw == clamped), 0 elsewhere
        scratch.assign(h.get(channels(e, 2 * e))).subi(logVariance);
        Transforms.abs(scratch, false);
        Transforms.sign(scratch, false);
        dLv.muli(scratch.rsubi(1.0));
    }

    static INDArrayIndex[] channels(long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all()};
    }
}
