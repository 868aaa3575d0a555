package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.models.vae.LatentCodec;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * {@code train --vae VAE_RUN}: latent diffusion's training data. The VAE is recorded in the run's configuration
 * ({@code latent.vae}, the SHA-256 of its weights, its scale factor), its latent width is checked against the
 * U-Net's before anything is loaded, and the training images (read with the configuration's {@code data.*} keys at
 * the VAE's image size) are encoded once, in batches, to posterior modes times the scale factor: the tensors the
 * U-Net then trains on as if they were images ({@code model.image_channels} = latent channels,
 * {@code data.image_size} = latent side).
 */
final class LatentData {
    private LatentData() {}

    /**
     * {@code config} with the VAE of {@code vaeRun} recorded under {@code latent.*}.
     *
     * @throws ConfigurationException   when the VAE's latents have another width or side than the U-Net takes
     * @throws IllegalArgumentException when the VAE run is unfinished or its weights do not fit its configuration
     */
    static Config attach(Config config, String vaeRun) throws IOException {
        LatentVae vae = LatentVae.open(vaeRun);
        check(config, vae);
        return config.withValue("latent.vae", ConfigValueFactory.fromAnyRef(vaeRun))
                .withValue("latent.vae_sha256", ConfigValueFactory.fromAnyRef(vae.sha256()))
                .withValue("latent.scale_factor", ConfigValueFactory.fromAnyRef(vae.codec().scale()));
    }

    /** Refuses a VAE whose latents are not [model.image_channels, data.image_size, data.image_size]. */
    static void check(Config config, LatentVae vae) {
        int channels = vae.recipe().vae.embeddingChannels();
        int side = vae.recipe().latentSize();
        int wantChannels = config.getInt("model.image_channels");
        int wantSide = config.getInt("data.image_size");
        if (channels != wantChannels || side != wantSide) {
            throw new ConfigurationException("the VAE of " + vae.run() + " makes " + channels + "x" + side + "x" + side
                    + " latents (vae.embedding_channels = " + channels + ", " + vae.recipe().imageSize + "x"
                    + vae.recipe().imageSize + " images) but this configuration trains on " + wantChannels + "x"
                    + wantSide + "x" + wantSide + " (model.image_channels = " + wantChannels + ", data.image_size = "
                    + wantSide + "); use a configuration for this VAE (conf/mnist-ldm.conf fits conf/mnist-vae.conf)");
        }
    }

    /** The run's training data: pixels for a pixel-space run, else the scaled latents of the training images. */
    static DataSource.Loaded trainingData(TrainRecipe recipe, PrintStream err) {
        Config c = recipe.config;
        String run = c.getString("latent.vae");
        if (run.isEmpty()) {
            return recipe.trainingData();
        }
        LatentVae vae;
        try {
            vae = LatentVae.open(run);
        } catch (IOException e) {
            throw new UncheckedIOException(run + ": " + e.getMessage(), e);
        }
        check(c, vae);
        if (!vae.sha256().equals(c.getString("latent.vae_sha256"))) {
            throw new IllegalArgumentException(run + "/" + LatentVae.WEIGHTS + " is not the VAE this run was trained "
                    + "with (SHA-256 " + vae.sha256() + ", recorded " + c.getString("latent.vae_sha256") + ")");
        }
        int channels = vae.recipe().vae.inChannels();
        Config pixels = c.withValue("data.image_size", ConfigValueFactory.fromAnyRef(vae.recipe().imageSize));
        DataSource.Loaded loaded = TrainRecipe.load(new DataSource(pixels, channels));
        LabeledImages train = TrainRecipe.prepare(loaded, pixels, channels).train();
        long t0 = System.nanoTime();
        LatentCodec codec = new LatentCodec(vae.codec().vae(), c.getDouble("latent.scale_factor")); // as recorded
        INDArray latents = codec.encode(train.images(), c.getInt("latent.encode_batch"));
        err.printf("latents: encoded %,d images with %s (scale factor %.5f) to %s in %.1f s%n", train.size(), run,
                codec.scale(), java.util.Arrays.toString(latents.shape()), (System.nanoTime() - t0) / 1e9);
        return loaded.withData(new LabeledImages(latents, train.labels()));
    }
}
