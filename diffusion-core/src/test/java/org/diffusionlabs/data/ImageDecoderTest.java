package org.diffusionlabs.data;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoded bytes and decoded pixels to the requested shape; failures name the file and row. */
class ImageDecoderTest {
    private static final float[] GREY_2X2 = {0f, 0.25f, 0.5f, 1f};

    @Test
    void decodesPngBytesAndNamesTheRowOfUndecodableOnes() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 1, 0, 51);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        float[] px = ImageDecoder.decode(png.toByteArray(), "t.parquet", 3, ImageOptions.grey(2, 2));
        assertArrayEquals(new float[] {0, 0, 0, 51 / 255f}, px, 1e-7f);
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageDecoder.decode(new byte[] {1, 2, 3}, "t.parquet", 7, ImageOptions.grey(2, 2)));
        assertEquals("t.parquet", e.file());
        assertEquals(7, e.row());
        assertTrue(e.getMessage().startsWith("t.parquet row 7: not a decodable image"), e.getMessage());
    }

    @Test
    void fitConvertsChannelsOnlyWhenAsked() throws InvalidImageException {
        float[] rgb = ImageDecoder.fit(GREY_2X2, 1, 2, 2, "f", -1, ImageOptions.rgb(2, 2));
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 1, 0, 0.25f, 0.5f, 1, 0, 0.25f, 0.5f, 1}, rgb);
        float[] grey = ImageDecoder.fit(new float[] {1, 0, 0}, 3, 1, 1, "f", -1, ImageOptions.grey(1, 1));
        assertEquals(19595 / 65536f, grey[0], 1e-7f);
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageDecoder.fit(GREY_2X2, 1, 2, 2,
                "x.parquet", 4, ImageOptions.rgb(2, 2).withConvertColor(false)));
        assertTrue(e.getMessage().contains("x.parquet row 4") && e.getMessage().contains("1 channel(s) but 3 expected"),
                e.getMessage());
    }

    @Test
    void fitResizesOnlyWhenAsked() throws InvalidImageException {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageDecoder.fit(GREY_2X2, 1, 2, 2, "f", 0, ImageOptions.grey(4, 4)));
        assertTrue(e.getMessage().contains("2x2") && e.getMessage().contains("expected 4x4"), e.getMessage());
        float[] big = ImageDecoder.fit(GREY_2X2, 1, 2, 2, "f", 0, ImageOptions.grey(4, 4).withResize(true));
        assertEquals(16, big.length);
        assertEquals(0f, big[0], 1e-7f);
        assertEquals(1f, big[15], 1e-7f);
        assertThrows(InvalidImageException.class, () -> ImageDecoder.fit(new float[0], 1, 0, 0, "f", 0,
                ImageOptions.grey(4, 4).withResize(true)));
    }
}
