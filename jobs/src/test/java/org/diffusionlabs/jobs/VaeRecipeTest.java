package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code train-vae} configuration: the shipped defaults make 4×8×8 latents of 32×32 digits; bad values fail
 * naming their key; the run-directory rules of {@code train} hold (an existing run is never replaced unasked).
 */
class VaeRecipeTest {
    @TempDir
    Path dir;

    private static VaeRecipe recipe(String... overrides) {
        return new VaeRecipe(JobConfigs.load(VaeRecipe.DEFAULTS, null, List.of(overrides)));
    }

    @Test
    void theDefaultsMakeFourByEightByEightLatents() {
        VaeRecipe r = recipe();
        assertEquals(4, r.vae.embeddingChannels());
        assertEquals(1, r.vae.inChannels());
        assertEquals(32, r.imageSize);
        assertEquals(8, r.latentSize());
        assertEquals(1e-5, r.klWeight);
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> recipe("data.image_size=30"));
        assertTrue(size.getMessage().contains("data.image_size") && size.getMessage().contains("30"), size.getMessage());
        IllegalArgumentException kl = assertThrows(IllegalArgumentException.class, () -> recipe("loss.kl_weight=-1"));
        assertTrue(kl.getMessage().contains("loss.kl_weight"), kl.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> recipe("train.encode_batch=0"));
        assertTrue(batch.getMessage().contains("train.encode_batch"), batch.getMessage());
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class, () -> recipe("vae.norm_groups=0"));
        assertTrue(groups.getMessage().contains("norm_groups"), groups.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> recipe("vae.width=3"));
        assertTrue(unknown.getMessage().contains("vae.width"), unknown.getMessage());
    }

    @Test
    void anExistingRunIsNeverReplacedUnasked() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Cli.Result r = Cli.run("train-vae", "--out", dir.toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("already holds a run") && r.err().contains("--overwrite"), r.err());
        assertEquals("{}", Files.readString(dir.resolve("config.json")), "untouched");
        Cli.Result both = Cli.run("train-vae", "--out", dir.toString(), "--resume", "latest", "--overwrite");
        assertEquals(2, both.code(), both::toString);
        Cli.Result resume = Cli.run("train-vae", "--out", dir.toString(), "--resume", "newest");
        assertTrue(resume.err().contains("--resume takes 'latest'"), resume::toString);
    }

    @Test
    void aVaeRunWithoutItsExportIsRefusedByTrain() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Cli.Result r = Cli.run("train", "--vae", dir.toString(), "--out", dir.resolve("ldm").toString());
        assertTrue(r.code() != 0 && r.err().contains("not a finished train-vae run") && r.err().contains("vae.safetensors"),
                r::toString);
    }
}
