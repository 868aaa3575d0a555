package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * A {@link VariationalAutoencoder} on the engine: explicit forward and backward over the model's live parameter
 * arrays, their gradients in one flat {@link GradientBuffer} (what AdamW, EMA, clipping and checkpoints work on), and
 * every intermediate from one {@link Arena}, so after the first step of a shape a step allocates nothing. Arrays it
 * returns live until {@link #reclaim}. One instance per thread.
 *
 * <p>Training step: {@link #forward} (with the posterior noise ε, or null for the mode), a loss on the returned
 * arrays, {@link #backward} with the loss's gradients, the optimiser on {@link #gradients()}, {@link #reclaim}.
 */
public final class VaeNetwork implements AutoCloseable {
    /** A pass's results (arena arrays): the posterior, the latent the decoder read, and the decoder's output. */
    public record Output(DiagonalGaussian posterior, INDArray z, INDArray decoded) {}

    private final VaeConfig config;
    private final GradientBuffer grads;
    private final Arena arena = new Arena();
    private final VaeStages stages;
    private INDArray moments;
    private INDArray noise;
    private DiagonalGaussian posterior;

    /** A network over {@code vae}'s parameters (live: optimiser updates and loads reach both). */
    public VaeNetwork(VariationalAutoencoder vae, Kernels kernels) {
        this.config = vae.config();
        this.stages = VaeStages.build(vae.parameters(), config);
        this.grads = new GradientBuffer(vae.parameters().asMap());
        stages.bind(grads, Checks.notNull(kernels, "VaeNetwork", "kernels"));
    }

    /** The gradient of every parameter (state-dict names and order), accumulated by {@link #backward}. */
    public GradientBuffer gradients() {
        return grads;
    }

    public Arena arena() {
        return arena;
    }

    /** The posterior of images {@code x} [b, in, h, w] (inference: nothing kept for backward). */
    public DiagonalGaussian encode(INDArray x) {
        checkImages(x);
        return posterior(x, DropoutNoise.NONE, false);
    }

    /** The decoder's output for latents {@code z} [b, E, h, w] (inference). */
    public INDArray decode(INDArray z) {
        Checks.require(z.rank() == 4 && z.size(1) == config.embeddingChannels(), "VaeNetwork", "z",
                Arrays.toString(z.shape()), "must be [b, " + config.embeddingChannels() + ", h, w]");
        INDArray zq = stages.postQuantConv().forward(arena, z, DropoutNoise.NONE, false);
        INDArray y = stages.decoder().forward(arena, zq, DropoutNoise.NONE, false);
        arena.give(zq);
        return y;
    }

    /**
     * Encode, z = μ + ε·σ (or μ when {@code noise} is null: the mode), decode.
     *
     * @param x       images [b, in, h, w], c-order float32
     * @param noise   ε of the posterior's shape, or null
     * @param dropout the step's dropout masks ({@link DropoutNoise#NONE} without dropout)
     * @param train   keep what {@link #backward} needs
     */
    public Output forward(INDArray x, INDArray noise, DropoutNoise dropout, boolean train) {
        checkImages(x);
        DiagonalGaussian post = posterior(x, dropout, train);
        INDArray z = post.mean();
        if (noise != null) {
            Checks.require(Arrays.equals(noise.shape(), post.mean().shape()), "VaeNetwork", "noise",
                    Arrays.toString(noise.shape()), "must have the posterior's shape " + Arrays.toString(post.mean().shape()));
            z = arena.take(noise.shape()).assign(noise).muli(post.stddev()).addi(post.mean());
        }
        INDArray zq = stages.postQuantConv().forward(arena, z, dropout, train);
        INDArray y = stages.decoder().forward(arena, zq, dropout, train);
        if (!train) {
            arena.give(zq);
        }
        this.noise = train ? noise : null;
        this.posterior = train ? post : null;
        return new Output(post, z, y);
    }

    /**
     * Backward of the last training {@link #forward}: accumulates every parameter's gradient into
     * {@link #gradients()}.
     *
     * @param dDecoded     gradient of the decoder's output (consumed)
     * @param dMean        extra gradient of the posterior mean (e.g. from a KL term), or null
     * @param dLogVariance extra gradient of the clamped log-variance, or null
     * @param needDx       whether to return the gradient of the images
     * @return dx [b, in, h, w], or null when not asked for
     */
    public INDArray backward(INDArray dDecoded, INDArray dMean, INDArray dLogVariance, boolean needDx) {
        if (posterior == null) {
            throw new IllegalStateException("VaeNetwork.backward needs a training forward (train = true) first");
        }
        INDArray dzq = stages.decoder().backward(arena, dDecoded);
        INDArray dz = stages.postQuantConv().backward(arena, dzq);
        INDArray dm = arena.take(moments.shape());
        INDArray scratch = arena.take(dz.shape());
        posterior.backward(moments, noise, dz, dMean, dLogVariance, dm, scratch);
        arena.give(scratch);
        arena.give(dz);
        INDArray dh = stages.quantConv().backward(arena, dm);
        INDArray dx = stages.encoder().backward(arena, dh);
        posterior = null;
        noise = null;
        moments = null;
        if (!needDx) {
            arena.give(dx);
            return null;
        }
        return dx;
    }

    /** Returns every array of the last pass to the arena (outputs and gradients it returned become invalid). */
    public void reclaim() {
        arena.reclaim();
        posterior = null;
        noise = null;
        moments = null;
    }

    private DiagonalGaussian posterior(INDArray x, DropoutNoise dropout, boolean train) {
        INDArray h = stages.encoder().forward(arena, x, dropout, train);
        INDArray m = stages.quantConv().forward(arena, h, dropout, train);
        if (!train) {
            arena.give(h);
        }
        long[] shape = {m.size(0), config.embeddingChannels(), m.size(2), m.size(3)};
        DiagonalGaussian post = new DiagonalGaussian(arena.take(shape), arena.take(shape), arena.take(shape));
        post.fill(m);
        if (train) {
            moments = m;
        } else {
            arena.give(m);
        }
        return post;
    }

    private void checkImages(INDArray x) {
        Checks.require(x.rank() == 4 && x.size(1) == config.inChannels(), "VaeNetwork", "x", Arrays.toString(x.shape()),
                "must be [b, " + config.inChannels() + ", h, w]");
    }

    @Override
    public void close() {
        arena.close();
        grads.close();
    }
}
