package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import org.diffusionlabs.io.Redaction;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.models.vae.VaeConfig;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.LearningRateSchedule;

import java.util.Map;

/**
 * A resolved {@code train-vae} configuration ({@code conf/mnist-vae.conf}) turned into the objects of a run: the
 * {@link VaeConfig} of {@code vae.*}, AdamW of {@code optimizer.*}, the learning-rate schedule, the EMA, the KL
 * weight and the images of {@code data.*} (read like {@code train}'s). Every value is read here, so a bad one fails
 * before training starts, naming its key.
 */
final class VaeRecipe {
    /** The shipped defaults. */
    static final String DEFAULTS = "mnist-vae.conf";
    final Config config;
    final VaeConfig vae;
    final double klWeight;
    final int imageSize;
    final DataSource data;

    VaeRecipe(Config config) {
        this.config = config;
        try {
            int channels = config.getInt("vae.image_channels");
            this.vae = new VaeConfig(config.getInt("vae.embedding_channels"), channels, channels,
                    config.getInt("vae.z_channels"), config.getInt("vae.channels"), config.getInt("vae.num_res_blocks"),
                    config.getIntList("vae.channel_multipliers"), config.getDouble("vae.dropout"),
                    config.getInt("vae.norm_groups"), config.getDouble("vae.norm_eps"), false);
            this.imageSize = config.getInt("data.image_size");
            if (imageSize <= 0 || imageSize % vae.downscale() != 0) {
                throw new IllegalArgumentException("configuration key data.image_size must be a positive multiple of "
                        + vae.downscale() + " (the VAE halves it " + (vae.channelMultipliers().size() - 1)
                        + " times), got " + imageSize);
            }
            this.klWeight = config.getDouble("loss.kl_weight");
            if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
                throw new IllegalArgumentException("configuration key loss.kl_weight must be >= 0, got " + klWeight);
            }
            this.data = new DataSource(config, channels);
            for (String key : new String[] {"train.batch", "train.max_steps", "train.keep_last", "train.encode_batch",
                    "train.log_every"}) {
                if (config.getLong(key) <= 0) {
                    throw new IllegalArgumentException("configuration key " + key + " must be > 0, got " + config.getLong(key));
                }
            }
            if (config.getDouble("optimizer.clip_norm") < 0) {
                throw new IllegalArgumentException("configuration key optimizer.clip_norm must be >= 0 (0 = no clip), got "
                        + config.getDouble("optimizer.clip_norm"));
            }
            optimizer();
            learningRate();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration: " + e.getMessage(), e);
        }
    }

    /** Latent side for images of data.image_size. */
    int latentSize() {
        return imageSize / vae.downscale();
    }

    /** A fresh VAE, initialised from train.seed as the reference initialises it. */
    VariationalAutoencoder build() {
        return VariationalAutoencoder.ldmVariationalAutoencoder(vae, new Rng(config.getLong("train.seed")));
    }

    AdamW optimizer() {
        return new AdamW(config.getDouble("optimizer.beta1"), config.getDouble("optimizer.beta2"),
                config.getDouble("optimizer.eps"), config.getDouble("optimizer.weight_decay"));
    }

    /** The EMA of the weights (ema.decay, ema.warmup). */
    Ema ema(Map<String, org.nd4j.linalg.api.ndarray.INDArray> weights) {
        return new Ema(weights, config.getDouble("ema.decay"), config.getBoolean("ema.warmup"));
    }

    /** The learning-rate schedule over train.max_steps; the warm-up is capped below max_steps for short runs. */
    LearningRateSchedule learningRate() {
        long warmup = Math.min(config.getLong("optimizer.warmup_steps"), config.getLong("train.max_steps") - 1);
        return new LearningRateSchedule(config.getDouble("optimizer.lr"), warmup,
                LearningRateSchedule.Decay.parse(config.getString("optimizer.decay")), config.getLong("train.max_steps"),
                config.getDouble("optimizer.min_factor"));
    }

    /** The resolved configuration as JSON, secrets masked (saved with the run and every checkpoint). */
    String json() {
        return Redaction.jsonText(config.root().render(ConfigRenderOptions.concise().setFormatted(true)));
    }
}
