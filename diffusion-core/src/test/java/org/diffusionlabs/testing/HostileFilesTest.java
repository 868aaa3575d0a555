package org.diffusionlabs.testing;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hostile files are what they claim: valid, and expanding to exactly the bytes declared. */
class HostileFilesTest {
    @Test
    void gzipExpandsToTheHeadThenZerosWithAValidTrailer() throws IOException {
        long zeros = 3L * (1 << 20) + 5;
        byte[] gz = HostileFiles.gzip(new byte[] {1, 2, 3}, zeros);
        assertTrue(gz.length < 8 << 10, gz.length + " bytes");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3));
            byte[] rest = in.readAllBytes(); // reading to the end checks the CRC and size
            assertEquals(zeros, rest.length);
            for (byte b : rest) {
                assertEquals(0, b);
            }
        }
    }

    @Test
    void pngDecodesToZerosOfTheDeclaredSizeAndDepth() throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(HostileFiles.png(10, 7, 16, 6)));
        assertEquals(10, img.getWidth());
        assertEquals(7, img.getHeight());
        assertEquals(4, img.getRaster().getNumBands());
        assertEquals(16, img.getColorModel().getComponentSize(0));
        assertEquals(0, img.getRaster().getSample(9, 6, 3));
        BufferedImage grey = ImageIO.read(new ByteArrayInputStream(HostileFiles.png(3000, 2, 8, 0)));
        assertEquals(3000, grey.getWidth());
    }

    @Test
    void hugeFilesStaySmallOnDisk() {
        assertTrue(HostileFiles.png(8192, 8192, 16, 6).length < 1 << 20);
        assertTrue(HostileFiles.gzip(new byte[16], 1L << 28).length < 1 << 20);
    }
}
