package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * What {@code train} draws besides checkpoints, on a tiny configuration: the loss curve and sample grids every
 * {@code train.sample_every} steps, and sampling leaves training untouched (weights byte-identical without it).
 */
class TrainPlotsTest {
    private static final String[] TINY = {"--max-steps", "4", "--set", "model.num_resize=1",
            "--set", "model.time_embed_dim=16", "--set", "model.cond_embed_dim=32", "--set", "model.embed_dim=8",
            "--set", "train.batch=4", "--set", "train.checkpoint_every=2", "--set", "data.image_size=16",
            "--set", "optimizer.warmup_steps=2", "--set", "sample.steps=2", "--set", "train.sample_per_label=2"};

    @TempDir
    Path dir;

    private Path train(String name, int sampleEvery) {
        Path run = dir.resolve(name);
        String[] args = new String[TINY.length + 5];
        args[0] = "train";
        args[1] = "--out";
        args[2] = run.toString();
        args[3] = "--set";
        args[4] = "train.sample_every=" + sampleEvery;
        System.arraycopy(TINY, 0, args, 5, TINY.length);
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.code(), r::toString);
        return run;
    }

    private static BufferedImage image(Path p) throws IOException {
        BufferedImage img = ImageIO.read(p.toFile());
        assertNotNull(img, p + " is not an image");
        return img;
    }

    @Test
    void lossCurveAndSampleGridsWithoutChangingTheWeights() throws IOException {
        Path sampled = train("sampled", 2);
        assertEquals(LossCurvePlot.WIDTH, image(sampled.resolve("loss.png")).getWidth());
        for (int step : new int[] {2, 4}) {
            BufferedImage grid = image(sampled.resolve("samples/step-" + step + ".png"));
            assertEquals(2 * (16 + 2) + 2, grid.getWidth(), "2 per label");
            assertEquals(10 * (16 + 2) + 2, grid.getHeight(), "a row per label");
        }
        assertFalse(Files.exists(sampled.resolve("samples/step-1.png")));

        Path plain = train("plain", 0);
        assertFalse(Files.exists(plain.resolve("samples")));
        assertArrayEquals(Files.readAllBytes(plain.resolve("checkpoints/step-4/model.safetensors")),
                Files.readAllBytes(sampled.resolve("checkpoints/step-4/model.safetensors")),
                "sampling during training must not change training");
        assertArrayEquals(Files.readAllBytes(plain.resolve("checkpoints/step-4/ema.safetensors")),
                Files.readAllBytes(sampled.resolve("checkpoints/step-4/ema.safetensors")));
    }
}
