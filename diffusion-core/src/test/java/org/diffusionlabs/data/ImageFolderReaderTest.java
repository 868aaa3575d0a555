package org.diffusionlabs.data;

import org.diffusionlabs.io.LocalStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderReaderTest {
    @TempDir
    Path root;

    /**
     * root/cat: a.png (grey 4×4, value 10·y + x), b.jpeg (grey 4×4, uniform 128), c.png (corrupt bytes);
     * root/dog: a.png (RGB 4×4, every pixel (200, 100, 50)), big.png (grey 5×4, wrong size);
     * ignored: root/notes.txt, root/dog/readme.txt, root/.hidden/x.png.
     */
    @BeforeEach
    void folder() throws IOException {
        Path cat = Files.createDirectories(root.resolve("cat"));
        Path dog = Files.createDirectories(root.resolve("dog"));
        Files.createDirectories(root.resolve(".hidden"));
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage flat = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                grey.getRaster().setSample(x, y, 0, 10 * y + x);
                flat.getRaster().setSample(x, y, 0, 128);
                rgb.setRGB(x, y, (200 << 16) | (100 << 8) | 50);
            }
        }
        assertTrue(ImageIO.write(grey, "png", cat.resolve("a.png").toFile()));
        assertTrue(ImageIO.write(flat, "jpeg", cat.resolve("b.jpeg").toFile()));
        byte[] junk = new byte[200];
        new Random(1).nextBytes(junk);
        Files.write(cat.resolve("c.png"), junk);
        assertTrue(ImageIO.write(rgb, "png", dog.resolve("a.png").toFile()));
        assertTrue(ImageIO.write(new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY), "png",
                dog.resolve("big.png").toFile()));
        Files.writeString(root.resolve("notes.txt"), "x");
        Files.writeString(dog.resolve("readme.txt"), "x");
        assertTrue(ImageIO.write(grey, "png", root.resolve(".hidden").resolve("x.png").toFile()));
    }

    @Test
    void errorPolicyNamesTheFirstBadFile() {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageFolderReader.read(root, ImageOptions.grey(4, 4)));
        assertEquals(root.resolve("cat").resolve("c.png").toString(), e.file());
        assertEquals(-1, e.row());
        assertTrue(e.getMessage().contains("c.png") && e.getMessage().contains("decod"), e.getMessage());
    }

    @Test
    void wrongSizeIsAnErrorNamingTheFileAndSize() throws IOException {
        Files.delete(root.resolve("cat").resolve("c.png"));
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageFolderReader.read(root, ImageOptions.grey(4, 4)));
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("5x4")
                && e.getMessage().contains("expected 4x4"), e.getMessage());
    }

    @Test
    void skipPolicyCountsAndNamesSkippedFiles() throws IOException {
        ImageFolder f = ImageFolderReader.read(root, ImageOptions.grey(4, 4).withOnInvalid(OnInvalid.SKIP));
        assertEquals(List.of("cat", "dog"), f.classNames());
        assertEquals(2, f.skipped());
        assertEquals(2, f.skippedFiles().size());
        assertTrue(f.skippedFiles().get(0).contains("c.png"), f.skippedFiles().toString());
        assertTrue(f.skippedFiles().get(1).contains("big.png"), f.skippedFiles().toString());
        LabeledImages d = f.data();
        assertArrayEquals(new int[] {0, 0, 1}, d.labels());
        INDArray x = d.images();
        assertArrayEquals(new long[] {3, 1, 4, 4}, x.shape());
        assertEquals(23 / 255f, x.getFloat(0, 0, 2, 3), 1e-7f);             // grey PNG read exactly
        assertEquals(128 / 255f, x.getFloat(1, 0, 1, 1), 2 / 255f);         // JPEG: lossy, within 2 levels
        // Pillow's L: (200·19595 + 100·38470 + 50·7471 + 2^15) >> 16 = 124 (299/587/114 ‰: 124.2).
        assertEquals(124 / 255f, x.getFloat(2, 0, 0, 0), 1e-7f);
    }

    @Test
    void rgbReplicatesGreyAndResizeAcceptsOtherSizes() throws IOException {
        ImageFolder f = ImageFolderReader.read(root,
                ImageOptions.rgb(4, 4).withResize(true).withOnInvalid(OnInvalid.SKIP));
        assertEquals(1, f.skipped());
        INDArray x = f.data().images();
        assertArrayEquals(new long[] {4, 3, 4, 4}, x.shape());
        for (int c = 0; c < 3; c++) {
            assertEquals(23 / 255f, x.getFloat(0, c, 2, 3), 1e-7f);
        }
        assertEquals(200 / 255f, x.getFloat(2, 0, 3, 3), 1e-7f);
        assertEquals(100 / 255f, x.getFloat(2, 1, 3, 3), 1e-7f);
        assertEquals(50 / 255f, x.getFloat(2, 2, 3, 3), 1e-7f);
        assertEquals(0f, x.getFloat(3, 0, 1, 1), 0f);                       // big.png (all black) resized
        assertArrayEquals(new int[] {0, 0, 1, 1}, f.data().labels());
    }

    @Test
    void colourConversionCanBeTurnedOff() {
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageFolderReader.read(root,
                ImageOptions.grey(4, 4).withConvertColor(false).withResize(true)
                        .withOnInvalid(OnInvalid.ERROR)));
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());
        ImageFolder f = assertDoesNotThrowRead(ImageOptions.grey(4, 4).withConvertColor(false)
                .withOnInvalid(OnInvalid.SKIP));
        assertEquals(3, f.skipped());
        assertTrue(f.skippedFiles().get(1).contains("dog") && f.skippedFiles().get(1).contains("colour image"),
                f.skippedFiles().toString());
    }

    private ImageFolder assertDoesNotThrowRead(ImageOptions o) {
        try {
            return ImageFolderReader.read(root, o);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void wrongChannelsNameTheFileAndTheExpectedChannels() throws IOException {
        Files.delete(root.resolve("cat").resolve("c.png"));
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageFolderReader.read(root,
                ImageOptions.rgb(4, 4).withConvertColor(false).withResize(true)));
        assertEquals(root.resolve("cat").resolve("a.png").toString(), e.file());
        assertTrue(e.getMessage().contains("grey image (1 channel)") && e.getMessage().contains("3 channel(s) expected"),
                e.getMessage());
    }

    @Test
    void readsThroughAStorageFromAFolderBelowItsRoot() throws IOException {
        LocalStorage storage = new LocalStorage(root.getParent());
        String folder = root.getFileName().toString();
        ImageFolder f = ImageFolderReader.read(storage, folder, ImageOptions.grey(4, 4).withOnInvalid(OnInvalid.SKIP));
        assertEquals(3, f.data().size());
        assertEquals(2, f.skipped());
        assertTrue(f.skippedFiles().get(0).startsWith(root.resolve("cat").resolve("c.png").toString()),
                f.skippedFiles().toString());
        NotDirectoryException notDir = assertThrows(NotDirectoryException.class,
                () -> ImageFolderReader.read(storage, folder + "/notes.txt", ImageOptions.grey(4, 4)));
        assertTrue(notDir.getMessage().contains("notes.txt"), notDir.getMessage());
    }

    @Test
    void missingRootAndEmptyFoldersAreClearErrors() throws IOException {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> ImageFolderReader.read(root.resolve("nope"), ImageOptions.grey(4, 4)));
        assertTrue(missing.getMessage().contains("nope"));
        Path empty = Files.createDirectories(root.resolve("empty-root").resolve("only"));
        IOException e = assertThrows(IOException.class,
                () -> ImageFolderReader.read(empty.getParent(), ImageOptions.grey(4, 4)));
        assertTrue(e.getMessage().contains("empty-root") && e.getMessage().contains("no usable"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new ImageOptions(2, 4, 4, false, true, OnInvalid.ERROR));
        assertTrue(bad.getMessage().contains("channels"), bad.getMessage());
    }
}
