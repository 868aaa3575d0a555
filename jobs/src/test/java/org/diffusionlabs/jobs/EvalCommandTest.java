package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.Normalize;
import org.diffusionlabs.data.Resize;
import org.diffusionlabs.jobs.data.PngImages;
import org.diffusionlabs.metrics.DigitClassifier;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    /** Writes {@code perDigit} images per digit as DIR/<digit>/<i>.png, the way 'sample' does (32×32 here). */
    static void writeReal(Path dir, int perDigit, int[] wrongLabelOf) throws IOException {
        LabeledImages unseen = MnistEmbedded.load().split(DigitClassifier.HELD_OUT_FRACTION, DigitClassifier.SPLIT_SEED).train();
        INDArray big = Normalize.toSigned(Resize.bilinear(unseen.images(), 32));
        int[] written = new int[10];
        for (int i = 0; i < unseen.size(); i++) {
            int d = unseen.label(i);
            if (written[d] >= perDigit) {
                continue;
            }
            int folder = wrongLabelOf[d];
            Files.createDirectories(dir.resolve(Integer.toString(folder)));
            Files.write(dir.resolve(folder + "/" + d + "-" + written[d] + ".png"), PngImages.png(big.get(NDArrayIndex.point(i))));
            written[d]++;
        }
    }

    @Test
    void realDigitsScoreHighAndSitAtTheRealDistance() throws IOException {
        Path dir = Files.createTempDirectory("eval-real");
        writeReal(dir, 20, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        Cli.Result r = Cli.run("eval", "--samples", dir.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = r.json();
        assertEquals(200, j.get("samples").asInt());
        assertTrue(j.get("accuracy").asDouble() >= 0.9, r.out());
        assertEquals(10, j.get("per_digit_accuracy").size());
        double fd = j.get("frechet_distance").asDouble();
        double floor = j.get("frechet_distance_real_same_count").asDouble();
        assertTrue(fd < 3 * floor + 1, "real digits: FD " + fd + " vs real-vs-real " + floor);
        assertTrue(j.get("classifier").get("accuracy_on_unseen").asDouble() > 0.95, r.out());
    }

    @Test
    void mislabelledFoldersAndNoiseScoreLow(@TempDir Path dir) throws IOException {
        // digit d filed under (d + 1) % 10: every sample is "wrong"
        writeReal(dir.resolve("shifted"), 10, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0});
        Cli.Result r = Cli.run("eval", "--samples", dir.resolve("shifted").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.json().get("accuracy").asDouble() < 0.1, r.out());
        Rng rng = new Rng(3);
        for (int d = 0; d < 10; d++) {
            Files.createDirectories(dir.resolve("noise/" + d));
            for (int i = 0; i < 10; i++) {
                Files.write(dir.resolve("noise/" + d + "/" + i + ".png"), PngImages.png(rng.randn(1, 32, 32)));
            }
        }
        Cli.Result noise = Cli.run("eval", "--samples", dir.resolve("noise").toString(), "--json");
        assertEquals(0, noise.code(), noise.toString());
        JsonNode j = noise.json();
        assertTrue(j.get("frechet_distance").asDouble() > 10 * j.get("frechet_distance_real_same_count").asDouble(), noise.out());
        assertTrue(noise.json().get("accuracy").asDouble() < 0.3, noise.out());
    }

    @Test
    void tableNamesEveryDigitAndTheTotals() throws IOException {
        Path dir = Files.createTempDirectory("eval-table");
        writeReal(dir, 3, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        Cli.Result r = Cli.run("eval", "--samples", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("digit  samples  correct  accuracy"), r.out());
        assertTrue(r.out().contains("  all       30"), r.out());
        assertTrue(r.out().contains("Frechet distance"), r.out());
    }

    @Test
    void badFoldersAreNamed(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("cats"));
        Files.write(dir.resolve("cats/a.png"), PngImages.png(new Rng(1).randn(1, 28, 28)));
        Cli.Result r = Cli.run("eval", "--samples", dir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("cats"), r.err());
        Cli.Result missing = Cli.run("eval", "--samples", dir.resolve("nope").toString());
        assertTrue(missing.code() != 0 && missing.err().contains("nope"), missing.toString());
        Files.createDirectories(dir.resolve("bad/3"));
        Files.write(dir.resolve("bad/3/x.png"), new byte[] {1, 2, 3});
        Cli.Result corrupt = Cli.run("eval", "--samples", dir.resolve("bad").toString());
        assertTrue(corrupt.code() != 0 && corrupt.err().contains("x.png"), corrupt.toString());
    }
}
