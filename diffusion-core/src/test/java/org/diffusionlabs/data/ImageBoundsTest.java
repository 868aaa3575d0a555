package org.diffusionlabs.data;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.diffusionlabs.testing.Allocation;
import org.diffusionlabs.testing.HostileFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (4): an image is bounded by the size its header declares (width × height × channels × bytes per sample)
 * before it is decoded. The hostile file is a 0.5 MB 8192² 16-bit RGBA PNG (512 MiB decoded, within the 64
 * megapixel cap); under {@code on_invalid = skip} it must be counted and named, not decoded.
 */
class ImageBoundsTest {
    private static final String PIXELS = "diffusion.image.maxPixels";
    private static final String BYTES = "diffusion.image.maxDecodedBytes";
    private static final long LITTLE = 64L << 20;

    @TempDir
    Path root;

    @AfterEach
    void clearCaps() {
        System.clearProperty(PIXELS);
        System.clearProperty(BYTES);
    }

    private static byte[] encoded(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    @Tag("fault")
    @Test
    void sixteenBitPngOfHalfAGigabyteIsSkippedAndNamedWithoutDecoding() throws IOException {
        Path cls = Files.createDirectories(root.resolve("a"));
        Files.write(cls.resolve("good.png"), encoded(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png"));
        byte[] bomb = HostileFiles.png(8192, 8192, 16, 6);
        assertTrue(bomb.length < 1 << 20, bomb.length + " bytes");
        Files.write(cls.resolve("bomb.png"), bomb);
        ImageFolder[] out = new ImageFolder[1];
        Allocation.Measured m = Allocation.measure(() -> out[0] = ImageFolderReader.read(root,
                ImageOptions.grey(4, 4).withResize(true).withOnInvalid(OnInvalid.SKIP)));
        assertNull(m.thrown());
        assertEquals(1, out[0].skipped());
        assertEquals(1, out[0].data().size());
        String why = out[0].skippedFiles().get(0);
        assertTrue(why.contains("bomb.png") && why.contains("8192x8192") && why.contains("536870912")
                && why.contains(BYTES), why);
        assertTrue(m.bytes() < LITTLE, "allocated " + m.bytes() + " bytes to skip it");
        FaultFigures.record("hostile-png", "hostile image: a 16-bit 8192x8192 RGBA PNG in an image folder (on_invalid = skip)",
                "ImageBoundsTest.sixteenBitPngOfHalfAGigabyteIsSkippedAndNamedWithoutDecoding",
                String.format("%,d-byte file declaring 536,870,912 bytes: 1 injected, %d counted and named skip(s), "
                        + "%,d bytes allocated", bomb.length, out[0].skipped(), m.bytes()));
    }

    @Test
    void underErrorTheSameFileIsATypedErrorNamingIt() {
        byte[] bomb = HostileFiles.png(8192, 8192, 16, 2);
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageDecoder.decode(bomb, "x/rgb16.png", -1, ImageOptions.rgb(4, 4).withResize(true)));
        assertTrue(e.getMessage().startsWith("x/rgb16.png: ") && e.getMessage().contains("402653184"),
                e.getMessage());
    }

    @Test
    void theCapsAreSystemPropertiesCheckedOnPngAndJpegHeaders() throws IOException {
        byte[] png = encoded(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] jpeg = encoded(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "jpeg");
        ImageOptions o = ImageOptions.grey(4, 4);
        System.setProperty(BYTES, "48");
        ImageDecoder.decode(jpeg, "ok.jpg", -1, o);
        System.setProperty(BYTES, "47");
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageDecoder.decode(jpeg, "big.jpg", -1, o));
        assertTrue(e.getMessage().contains("48 bytes") && e.getMessage().contains(BYTES + " = 47"), e.getMessage());
        System.clearProperty(BYTES);
        System.setProperty(PIXELS, "15");
        e = assertThrows(InvalidImageException.class, () -> ImageDecoder.decode(png, "big.png", -1, o));
        assertTrue(e.getMessage().contains("4x4") && e.getMessage().contains(PIXELS + " = 15"), e.getMessage());
        System.setProperty(PIXELS, "-3");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ImageDecoder.decode(png, "a.png", -1, o));
        assertTrue(bad.getMessage().contains(PIXELS) && bad.getMessage().contains("-3"), bad.getMessage());
    }

    @Test
    void aHugeDeclaredSizeIsRejectedWhateverTheFileHolds() {
        byte[] png = HostileFiles.png(30000, 30000, 8, 0);
        Allocation.Measured m = Allocation.measure(() ->
                ImageDecoder.decode(png, "huge.png", -1, ImageOptions.grey(4, 4).withResize(true)));
        InvalidImageException e = assertInstanceOf(InvalidImageException.class, m.thrown());
        assertTrue(e.getMessage().contains("30000x30000") && e.getMessage().contains(PIXELS), e.getMessage());
        assertTrue(m.bytes() < LITTLE, "allocated " + m.bytes() + " bytes to reject it");
    }
}
