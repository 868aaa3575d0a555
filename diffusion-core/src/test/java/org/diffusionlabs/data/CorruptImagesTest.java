package org.diffusionlabs.data;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1 % of an image folder corrupt (3 of 300 PNGs: one cut in half, one random bytes, one whose pixel data is
 * overwritten after a valid header), read under {@code on_invalid = skip}: exactly the injected files are counted
 * and named, and every other image is kept with its label.
 */
@Tag("fault")
class CorruptImagesTest {
    private static final int CLASSES = 10;
    private static final int PER_CLASS = 30;

    @TempDir
    Path root;

    @Test
    void onePercentCorruptIsCountedExactly() throws IOException {
        Random rng = new Random(3);
        List<Path> all = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            Path dir = Files.createDirectories(root.resolve("class-" + c));
            for (int i = 0; i < PER_CLASS; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 64; p++) {
                    img.getRaster().setSample(p % 8, p / 8, 0, rng.nextInt(256));
                }
                Path f = dir.resolve(String.format("%03d.png", i));
                assertTrue(ImageIO.write(img, "png", f.toFile()));
                all.add(f);
            }
        }
        TreeSet<String> injected = new TreeSet<>();
        int[] picks = {17, 151, 288};
        for (int k = 0; k < picks.length; k++) {
            Path f = all.get(picks[k]);
            byte[] b = Files.readAllBytes(f);
            byte[] bad = switch (k) {
                case 0 -> Arrays.copyOf(b, b.length / 2);
                case 1 -> {
                    byte[] junk = new byte[b.length];
                    rng.nextBytes(junk);
                    yield junk;
                }
                default -> {
                    byte[] c = b.clone();
                    Arrays.fill(c, 41, c.length, (byte) 0x5a); // signature, IHDR and its CRC intact
                    yield c;
                }
            };
            Files.write(f, bad);
            injected.add(root.relativize(f).toString());
        }

        ImageFolder f = ImageFolderReader.read(root, ImageOptions.grey(8, 8).withOnInvalid(OnInvalid.SKIP));
        assertEquals(injected.size(), f.skipped(), f.skippedFiles()::toString);
        TreeSet<String> named = new TreeSet<>();
        for (String why : f.skippedFiles()) {
            injected.stream().filter(why::contains).forEach(named::add);
        }
        assertEquals(injected, named, "every injected file is named: " + f.skippedFiles());
        assertEquals(CLASSES * PER_CLASS - injected.size(), f.data().size());
        int[] perClass = new int[CLASSES];
        Arrays.stream(f.data().labels()).forEach(l -> perClass[l]++);
        assertEquals(CLASSES * PER_CLASS - injected.size(), Arrays.stream(perClass).sum());
        FaultFigures.record("corrupt-images", "corrupt images at 1 % (3 of 300 PNGs: truncated, random bytes, "
                        + "pixel data overwritten) under on_invalid = skip", "CorruptImagesTest.onePercentCorruptIsCountedExactly",
                String.format("%d injected, %d counted and named, %d of %d images kept", injected.size(), f.skipped(),
                        f.data().size(), CLASSES * PER_CLASS));
    }
}
