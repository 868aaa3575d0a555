package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.data.ParquetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code diffusion train} on an image folder: skipped images reported on stderr, or the bad file named. */
class TrainDataReportTest {
    private static final String[] TINY = {"--max-steps", "1", "--set", "model.num_resize=1",
            "--set", "model.time_embed_dim=8", "--set", "model.cond_embed_dim=8", "--set", "model.embed_dim=8",
            "--set", "train.batch=2", "--set", "data.image_size=8", "--set", "data.held_out_fraction=0.34",
            "--set", "train.sample_every=0"};

    @TempDir
    Path dir;

    private Cli.Result train(Path images, String policy) {
        String[] head = {"train", "--out", dir.resolve("run-" + policy).toString(), "--set",
                "data.source=\"" + images + "\"", "--set", "data.on_invalid=" + policy};
        String[] args = new String[head.length + TINY.length];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(TINY, 0, args, head.length, TINY.length);
        return Cli.run(args);
    }

    @Test
    void skippedImagesAreCountedOnStderrAndErrorsNameTheFile() throws IOException {
        Path images = dir.resolve("images");
        for (int label = 0; label < 2; label++) {
            Path d = Files.createDirectories(images.resolve(String.valueOf(label)));
            for (int i = 0; i < 3; i++) {
                Files.write(d.resolve(i + ".png"), ParquetFixtures.greyPng(8, 8, 40 * label + i));
            }
        }
        Files.write(images.resolve("1").resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0});
        Cli.Result skip = train(images, "skip");
        assertEquals(0, skip.code(), skip::toString);
        assertTrue(skip.err().contains("data: image folder " + images + " (classes 0, 1): 4 training images"), skip.err());
        assertTrue(skip.err().contains("skipped 1 unusable image(s)") && skip.err().contains("broken.jpg"), skip.err());
        Cli.Result error = train(images, "error");
        assertEquals(1, error.code(), error::toString);
        assertTrue(error.err().contains("broken.jpg"), error.err());
    }
}
