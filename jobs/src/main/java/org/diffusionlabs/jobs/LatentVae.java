package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.models.vae.LatentCodec;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.spark.HadoopStorage;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The trained autoencoder of a {@code train-vae} run as latent diffusion uses it: {@code RUN/vae.safetensors} (the
 * EMA weights under the reference's state-dict names), {@code RUN/latent.json} (the latent scale factor, latent
 * shape and the held-out reconstruction error) and {@code RUN/config.json} (which VAE it is). Opening one checks the
 * weights against the configuration, tensor by tensor, and hashes them (SHA-256), so an LDM run can record exactly
 * which VAE it was trained in, and sampling can refuse a VAE that was replaced since.
 */
record LatentVae(String run, VaeRecipe recipe, LatentCodec codec, String sha256, JsonNode summary) {
    static final String WEIGHTS = "vae.safetensors";
    static final String SUMMARY = "latent.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the weights and the summary (scale factor added) into the run; returns the weights' SHA-256. */
    static String write(HadoopStorage runDir, Map<String, INDArray> weights, ObjectNode summary) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Safetensors.write(Safetensors.toFloat32(weights), Map.of("format", "pt"), bytes);
        byte[] b = bytes.toByteArray();
        String sha = sha256(b);
        summary.put("weights_sha256", sha);
        runDir.write(WEIGHTS, b);
        runDir.write(SUMMARY, summary.toPrettyString().getBytes(StandardCharsets.UTF_8));
        return sha;
    }

    /**
     * Opens the VAE of run directory {@code run}.
     *
     * @throws IllegalArgumentException when the run has no finished VAE, or its weights do not fit its configuration
     *                                  (naming every missing, unexpected or wrongly shaped tensor)
     */
    static LatentVae open(String run) throws IOException {
        HadoopStorage dir = new HadoopStorage(run);
        for (String name : List.of("config.json", WEIGHTS, SUMMARY)) {
            if (!dir.exists(name)) {
                throw new IllegalArgumentException(run + " is not a finished train-vae run: it has no " + name);
            }
        }
        Config config = StoredConfigs.parse(text(dir, "config.json"), run + "/config.json",
                JobConfigs.load(VaeRecipe.DEFAULTS, null, List.of()));
        VaeRecipe recipe = new VaeRecipe(config);
        byte[] weights;
        try (InputStream in = dir.open(WEIGHTS)) {
            weights = in.readAllBytes();
        }
        VariationalAutoencoder vae = recipe.build();
        try {
            vae.loadStateDict(Safetensors.read(new ByteArrayInputStream(weights), weights.length));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(run + "/" + WEIGHTS + " does not fit the VAE of " + run + "/config.json: "
                    + e.getMessage(), e);
        }
        JsonNode summary = JSON.readTree(text(dir, SUMMARY));
        double scale = summary.path("scale_factor").asDouble(Double.NaN);
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException(run + "/" + SUMMARY + ": scale_factor must be a positive number, got "
                    + summary.get("scale_factor"));
        }
        return new LatentVae(run, recipe, new LatentCodec(vae, scale), sha256(weights), summary);
    }

    /**
     * What turns an LDM run's samples into images: decoding through the VAE its configuration names
     * ({@code latent.vae}) with the scale factor the run recorded, after checking that VAE still has the weights the
     * run was trained with; the identity for a pixel-space run.
     */
    static UnaryOperator<INDArray> decoder(Config ldm) {
        String run = ldm.getString("latent.vae");
        if (run.isEmpty()) {
            return UnaryOperator.identity();
        }
        try {
            LatentVae vae = open(run);
            String expected = ldm.getString("latent.vae_sha256");
            if (!vae.sha256.equals(expected)) {
                throw new IllegalArgumentException(run + "/" + WEIGHTS + " has changed since the latent diffusion run was "
                        + "trained (SHA-256 " + vae.sha256 + ", the run recorded " + expected + ")");
            }
            int batch = vae.recipe.config.getInt("train.encode_batch");
            LatentCodec codec = new LatentCodec(vae.codec.vae(), ldm.getDouble("latent.scale_factor")); // as trained
            return z -> codec.decode(z, batch);
        } catch (IOException e) {
            throw new UncheckedIOException(run + ": " + e.getMessage(), e);
        }
    }

    private static String text(HadoopStorage dir, String name) throws IOException {
        try (InputStream in = dir.open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
