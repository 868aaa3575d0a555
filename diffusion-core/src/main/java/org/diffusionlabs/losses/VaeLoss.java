package org.diffusionlabs.losses;

import org.diffusionlabs.models.vae.DiagonalGaussian;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The VAE's training loss, reconstruction plus weighted KL (the reference defines none; this is the usual LDM
 * recipe without the perceptual and adversarial terms): {@code loss = mean((decoded − target)²) + klWeight ·
 * Σ KL(posterior ‖ N(0, I)) / batch}, with its gradients written into caller-given arrays (no allocation beyond
 * scalars), ready for {@code VaeNetwork.backward}: d/d decoded = 2·(decoded − target)/N, d/dμ = w·μ,
 * d/d logvar = w·(σ² − 1)/2 with w = klWeight / batch.
 */
public final class VaeLoss {
    /** The loss and its two terms (the KL is the per-sample sum, before the weight). */
    public record Terms(double loss, double reconstruction, double kl) {}

    private VaeLoss() {}

    /**
     * @param dDecoded     [decoded's shape] output: gradient of the loss w.r.t. the decoder's output
     * @param dMean        [posterior shape] output: gradient w.r.t. the posterior mean
     * @param dLogVariance [posterior shape] output: gradient w.r.t. the clamped log-variance
     */
    public static Terms compute(INDArray decoded, INDArray target, DiagonalGaussian posterior, double klWeight,
                                INDArray dDecoded, INDArray dMean, INDArray dLogVariance) {
        Checks.require(Arrays.equals(decoded.shape(), target.shape()), "VaeLoss", "target", Arrays.toString(target.shape()),
                "must have the decoder output's shape " + Arrays.toString(decoded.shape()));
        Checks.require(klWeight >= 0 && Double.isFinite(klWeight), "VaeLoss", "klWeight", klWeight, "must be >= 0");
        long n = decoded.length();
        double batch = decoded.size(0);
        INDArray diff = dDecoded.assign(decoded).subi(target);
        double mse = diff.norm2Number().doubleValue();
        mse = mse * mse / n;
        diff.muli(2.0 / n);

        double kl = klGradients(posterior, klWeight / batch, dMean, dLogVariance) / batch;
        return new Terms(mse + klWeight * kl, mse, kl);
    }

    /**
     * Σ KL(posterior ‖ N(0, I)) over all elements, and the gradients of {@code weight} times it: dμ = weight·μ,
     * d logvar = weight·(σ² − 1)/2 (written into the given arrays).
     */
    public static double klGradients(DiagonalGaussian posterior, double weight, INDArray dMean, INDArray dLogVariance) {
        INDArray var = dLogVariance.assign(posterior.stddev()).muli(posterior.stddev());
        double sumVar = var.sumNumber().doubleValue();
        double sumMu2 = dMean.assign(posterior.mean()).muli(posterior.mean()).sumNumber().doubleValue();
        double sumLogVar = posterior.logVariance().sumNumber().doubleValue(); // ln σ² = the clamped log-variance
        dMean.assign(posterior.mean()).muli(weight);
        dLogVariance.subi(1.0).muli(0.5 * weight);
        return 0.5 * (sumVar + sumMu2 - posterior.mean().length() - sumLogVar);
    }
}
