package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.io.Safetensors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Latent diffusion end to end on tiny models: {@code train-vae} resumes bit for bit and exports its weights, scale
 * factor and held-out MSE; {@code train --vae} trains the U-Net on 2×4×4 latents and records the VAE;
 * {@code sample} decodes to 8×8 PNGs; and the bad inputs (another latent width, a tampered or replaced VAE, a resume without the VAE, Spark) fail
 * before training or sampling, naming what is wrong. Slow (a minute): runs in CI's slow stage.
 */
@Tag("slow")
class LatentDiffusionJobTest {
    /** 8×8 digits, a two-level VAE of width 8: 2×4×4 latents. */
    private static final String[] TINY_VAE = {"--set", "data.image_size=8", "--set", "vae.channels=8", "--set",
            "vae.channel_multipliers=[1,2]", "--set", "vae.norm_groups=4", "--set", "vae.embedding_channels=2", "--set",
            "vae.z_channels=2", "--set", "train.batch=4", "--set", "train.checkpoint_every=2", "--set",
            "optimizer.warmup_steps=1", "--set", "train.log_every=1"};

    @TempDir
    Path dir;

    private Cli.Result trainVae(Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train-vae", "--out", run.toString()));
        args.addAll(List.of(TINY_VAE));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private Cli.Result trainLdm(Path vae, Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--vae", vae.toString(), "--out", run.toString()));
        args.addAll(List.of(TinyTrainArgs.tiny().set("model.image_channels", "2").set("data.image_size", "4")
                .set("train.sample_every", "2").set("train.sample_per_label", "1").set("train.sample_steps", "2")
                .toArray()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void trainVaeThenLatentDiffusionThenSample() throws IOException {
        Cli.Result straight = trainVae(dir.resolve("va"), "--max-steps", "4");
        assertEquals(0, straight.code(), straight::toString);
        Cli.Result first = trainVae(dir.resolve("vb"), "--max-steps", "2");
        assertEquals(0, first.code(), first::toString);
        Cli.Result resumed = trainVae(dir.resolve("vb"), "--max-steps", "4", "--resume", "latest");
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.err().contains("resumed from step 2"), resumed.err());
        for (String f : List.of("checkpoints/step-4/model.safetensors", "checkpoints/step-4/ema.safetensors",
                "checkpoints/step-4/optimizer.safetensors", "vae.safetensors")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("va/" + f)), Files.readAllBytes(dir.resolve("vb/" + f)),
                    "4 steps == 2 + resume + 2: " + f);
        }
        assertEquals(4, Files.readAllLines(dir.resolve("vb/metrics.jsonl")).size());
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("vb/latent.json").toFile());
        double scale = summary.get("scale_factor").asDouble();
        assertEquals(1 / summary.get("latent_std").asDouble(), scale, 1e-9 * scale);
        assertTrue(summary.get("held_out_mse").asDouble() > 0 && summary.get("held_out_mse").asDouble() < 1, summary::toString);
        assertEquals(2000, summary.get("held_out_images").asInt());
        assertEquals(summary.toString(), resumed.json().toString(), "the summary printed on stdout");
        assertTrue(Files.size(dir.resolve("vb/reconstructions.png")) > 100);

        Path vae = dir.resolve("vb");
        Cli.Result ldm = trainLdm(vae, dir.resolve("ldm"), "--max-steps", "2");
        assertEquals(0, ldm.code(), ldm::toString);
        assertTrue(ldm.err().contains("latents: encoded 8,000 images"), ldm.err());
        JsonNode latent = new ObjectMapper().readTree(dir.resolve("ldm/config.json").toFile()).get("latent");
        assertEquals(vae.toString(), latent.get("vae").asText());
        assertEquals(summary.get("weights_sha256").asText(), latent.get("vae_sha256").asText());
        assertEquals(scale, latent.get("scale_factor").asDouble());
        assertEquals(8, side(dir.resolve("ldm/samples/step-2.png")), "progress grid rows are decoded 8x8 images");

        Cli.Result sample = Cli.run("sample", "--checkpoint", dir.resolve("ldm").toString(), "--out",
                dir.resolve("s").toString(), "--steps", "2", "--per-label", "1");
        assertEquals(0, sample.code(), sample::toString);
        for (int label = 0; label < 10; label++) {
            BufferedImage png = ImageIO.read(dir.resolve("s/" + label + "/0.png").toFile());
            assertEquals(8, png.getWidth(), "decoded to the VAE's image size, not the 4x4 latent");
        }
        assertTrue(Files.exists(dir.resolve("s/grid.png")));

        // a resume must name the same VAE: without --vae the latent.* settings differ and are named
        List<String> resume = new ArrayList<>(List.of("train", "--out", dir.resolve("ldm").toString(), "--resume", "latest",
                "--max-steps", "3"));
        resume.addAll(List.of(TinyTrainArgs.tiny().set("model.image_channels", "2").set("data.image_size", "4")
                .set("train.sample_every", "2").set("train.sample_per_label", "1").set("train.sample_steps", "2").toArray()));
        Cli.Result noVae = Cli.run(resume.toArray(String[]::new));
        assertNotEquals(0, noVae.code(), noVae::toString);
        assertTrue(noVae.err().contains("latent.vae"), noVae.err());
        // not on Spark yet: said before any Spark work
        Cli.Result spark = Cli.run("sample", "--master", "local[1]", "--checkpoint", dir.resolve("ldm").toString(),
                "--conditions", dir.resolve("c.parquet").toString(), "--out", dir.resolve("o.parquet").toString());
        assertEquals(2, spark.code(), spark::toString);
        assertTrue(spark.err().contains("does not sample on Spark yet"), spark.err());
        Cli.Result sparkTrain = trainLdm(vae, dir.resolve("st"), "--master", "local[1]");
        assertEquals(2, sparkTrain.code(), sparkTrain::toString);
        assertTrue(sparkTrain.err().contains("--vae does not train on Spark yet"), sparkTrain.err());

        // a different latent width than the configuration expects: refused before anything is trained
        Cli.Result wide = trainLdm(vae, dir.resolve("wide"), "--max-steps", "1", "--set", "model.image_channels=3");
        assertEquals(2, wide.code(), wide::toString); // a configuration error: exit code 2
        assertTrue(wide.err().contains("2x4x4 latents") && wide.err().contains("model.image_channels = 3"), wide.err());
        assertFalse(Files.exists(dir.resolve("wide/checkpoints")), "nothing trained");

        // the VAE replaced after the LDM run was trained: sampling refuses it, naming the hashes
        Map<String, INDArray> weights = Safetensors.read(vae.resolve("vae.safetensors"));
        weights.values().iterator().next().addi(1);
        Safetensors.write(weights, Map.of(), vae.resolve("vae.safetensors"));
        Cli.Result changed = Cli.run("sample", "--checkpoint", dir.resolve("ldm").toString(), "--out",
                dir.resolve("s2").toString(), "--steps", "2", "--per-label", "1");
        assertNotEquals(0, changed.code(), changed::toString);
        assertTrue(changed.err().contains("has changed since") && changed.err().contains(latent.get("vae_sha256").asText()),
                changed.err());

        // a VAE file with a missing and an unexpected tensor: the job names both
        Map<String, INDArray> broken = new LinkedHashMap<>(weights);
        java.util.Iterator<String> names = broken.keySet().iterator();
        String missing = names.next();
        String reshaped = names.next();
        broken.put("decoder.extra.weight", broken.remove(missing));
        broken.put(reshaped, broken.get(reshaped).reshape(1, broken.get(reshaped).length()).dup());
        Safetensors.write(broken, Map.of(), vae.resolve("vae.safetensors"));
        Cli.Result bad = trainLdm(vae, dir.resolve("bad"), "--max-steps", "1");
        assertNotEquals(0, bad.code(), bad::toString);
        assertTrue(bad.err().contains(missing) && bad.err().contains("decoder.extra.weight")
                && bad.err().contains(reshaped) && bad.err().contains("vae.safetensors"), bad.err());
    }

    /** Height of a one-column-per-label grid's rows: (height − padding) / rows − padding, for 10 rows and padding 2. */
    private static int side(Path grid) throws IOException {
        BufferedImage g = ImageIO.read(grid.toFile());
        return (g.getHeight() - 2) / 10 - 2;
    }
}
