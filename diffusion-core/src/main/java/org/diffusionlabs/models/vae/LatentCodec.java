package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * The bridge between image space and the latent space a latent diffusion model trains in (Rombach et al. 2022):
 * {@code encode} maps images in [−1, 1] to the VAE posterior's mode times {@code scale}, {@code decode} divides by
 * {@code scale}, decodes and clamps to [−1, 1]. The mode, not a posterior sample, is encoded so that the same images
 * give the same latents bit for bit however they are batched or partitioned; this is the per-partition function a
 * Spark transformer can call. {@code scale} is 1/σ of the training latents ({@link #scaleFactor}), so the diffusion
 * model sees roughly unit-variance data, as its noise schedule assumes.
 */
public record LatentCodec(VariationalAutoencoder vae, double scale) {
    public LatentCodec {
        Checks.notNull(vae, "LatentCodec", "vae");
        Checks.require(scale > 0 && Double.isFinite(scale), "LatentCodec", "scale", scale, "must be a positive number");
    }

    /** Latent channels (the posterior's). */
    public int channels() {
        return vae.config().embeddingChannels();
    }

    /** Latents [n, E, h/d, w/d] of images [n, in, h, w] in [−1, 1], encoded {@code batch} images at a time. */
    public INDArray encode(INDArray images, int batch) {
        return batched(images, batch, x -> vae.encode(x).mean().muli(scale));
    }

    /** Images [n, out, h·d, w·d] in [−1, 1] of scaled latents, decoded {@code batch} at a time. */
    public INDArray decode(INDArray latents, int batch) {
        Checks.require(latents.rank() == 4 && latents.size(1) == channels(), "LatentCodec", "latents",
                java.util.Arrays.toString(latents.shape()), "must be [n, " + channels() + ", h, w]");
        return batched(latents, batch, z -> {
            INDArray y = vae.decode(z.div(scale));
            return Transforms.min(Transforms.max(y, -1, false), 1, false);
        });
    }

    /**
     * 1/σ of {@code latents} (unscaled: the posterior modes of the training images), σ the standard deviation over
     * all their elements (population form, in float64).
     *
     * @throws IllegalArgumentException when σ is zero or not finite (a collapsed encoder)
     */
    public static double scaleFactor(INDArray latents) {
        double n = latents.length();
        INDArray d = latents.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        double mean = d.sumNumber().doubleValue() / n;
        double var = d.subi(mean).muli(d).sumNumber().doubleValue() / n;
        double sigma = Math.sqrt(var);
        Checks.require(sigma > 0 && Double.isFinite(sigma), "LatentCodec", "latents.std", sigma,
                "must be a positive number (the encoder maps every image to the same latent)");
        return 1.0 / sigma;
    }

    private static INDArray batched(INDArray x, int batch, java.util.function.UnaryOperator<INDArray> f) {
        Checks.positive(batch, "LatentCodec", "batch");
        long n = x.size(0);
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            parts.add(f.apply(x.get(NDArrayIndex.interval(from, to)).dup('c')));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }
}
