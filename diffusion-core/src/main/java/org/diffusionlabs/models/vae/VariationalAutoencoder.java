package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * The LDM variational autoencoder (Kingma and Welling; Rombach et al. 2022) as diffusion_labs builds it
 * ({@code models/vae/vae.py}): {@code encode(x)} → a {@link DiagonalGaussian} posterior from the encoder's moments,
 * {@code decode(z)} → images, {@code forward(x)} → decode(posterior sample or mode). Parameters carry the reference's
 * state-dict names, order and shapes, so PyTorch weights load here and ours load there.
 *
 * <p>The methods here are inference conveniences that return fresh arrays (synchronized: one engine network per
 * instance); training drives a {@link VaeNetwork} of its own ({@link #network}).
 */
public final class VariationalAutoencoder {
    /** What {@code forward} returns: the posterior and the decoder's output (fresh arrays). */
    public record VaeOutput(DiagonalGaussian posterior, INDArray decoderOutput) {}

    private final VaeConfig config;
    private final Parameters params;
    private VaeNetwork network;

    private VariationalAutoencoder(VaeConfig config, Parameters params) {
        this.config = config;
        this.params = params;
    }

    /**
     * {@code ldm_variational_autoencoder(...)}: a new VAE with PyTorch's default initialisation drawn from
     * {@code rng} in the reference's construction order (encoder, quant_conv, post_quant_conv, decoder), so the same
     * seed gives the reference's initial weights.
     *
     * @throws IllegalArgumentException when a width of the config is not divisible by its norm groups
     */
    public static VariationalAutoencoder ldmVariationalAutoencoder(VaeConfig config, Rng rng) {
        Checks.notNull(config, "VariationalAutoencoder", "config");
        Parameters p = new Parameters(rng);
        VaeStages.build(p, config);
        return new VariationalAutoencoder(config, p);
    }

    public VaeConfig config() {
        return config;
    }

    /** The parameters (reference names, state-dict order); training updates them in place. */
    public Parameters parameters() {
        return params;
    }

    /** The live parameter arrays by state-dict name, in the reference's {@code state_dict()} order. */
    public Map<String, INDArray> stateDict() {
        return params.asMap();
    }

    /**
     * Copies a PyTorch-named state dict into the parameters, as {@code load_state_dict(strict=True)}; nothing is
     * copied when anything is wrong. Returns the names loaded.
     *
     * @throws IllegalArgumentException naming every missing, unexpected and wrongly shaped tensor
     */
    public List<String> loadStateDict(Map<String, INDArray> weights) {
        Checks.notNull(weights, "VariationalAutoencoder", "weights");
        return params.load(weights, true);
    }

    /** A new engine network over these parameters, for a training thread. */
    public VaeNetwork network(Kernels kernels) {
        return new VaeNetwork(this, kernels);
    }

    /** The posterior of images x [b, in, h, w]. */
    public synchronized DiagonalGaussian encode(INDArray x) {
        return run(() -> {
            DiagonalGaussian g = engine().encode(floats(x));
            return new DiagonalGaussian(g.mean().dup(), g.logVariance().dup(), g.stddev().dup());
        });
    }

    /** The decoder's output for latents z [b, E, h, w]. */
    public synchronized INDArray decode(INDArray z) {
        return run(() -> engine().decode(floats(z)).dup());
    }

    /**
     * {@code forward(x, sample_posterior)}: decodes a posterior sample (ε from {@code rng}, as PyTorch's
     * {@code rsample} draws it) or, without sampling, the mode.
     */
    public synchronized VaeOutput forward(INDArray x, boolean samplePosterior, Rng rng) {
        if (!samplePosterior) {
            return forward(x, null);
        }
        Checks.notNull(rng, "VariationalAutoencoder", "rng");
        DiagonalGaussian post = encode(x);
        return new VaeOutput(post, decode(post.sample(rng)));
    }

    /** Decodes μ + ε·σ for a given ε, or the mode when {@code noise} is null. */
    public synchronized VaeOutput forward(INDArray x, INDArray noise) {
        return run(() -> {
            VaeNetwork.Output out = engine().forward(floats(x), noise == null ? null : floats(noise), DropoutNoise.NONE, false);
            DiagonalGaussian g = out.posterior();
            return new VaeOutput(new DiagonalGaussian(g.mean().dup(), g.logVariance().dup(), g.stddev().dup()),
                    out.decoded().dup());
        });
    }

    private VaeNetwork engine() {
        if (network == null) {
            network = new VaeNetwork(this, Kernels.get());
        }
        return network;
    }

    private <T> T run(java.util.function.Supplier<T> body) {
        return Workspaces.outside(() -> {
            try {
                return body.get();
            } finally {
                if (network != null) {
                    network.reclaim();
                }
            }
        });
    }

    private static INDArray floats(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() ? a : a.castTo(DataType.FLOAT).dup('c');
    }
}
