package org.diffusionlabs.jobs.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PngImagesTest {
    @Test
    void valuesMapFromMinusOneOneToBytesWithClamping() throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(PngImages.png(
                Nd4j.createFromArray(new float[][] {{-1f, 0f, 1f, 2f}}).reshape(1, 1, 4))));
        assertEquals(4, img.getWidth());
        assertArrayEquals(new int[] {0, 128, 255, 255}, img.getRaster().getPixels(0, 0, 4, 1, (int[]) null));
    }

    @Test
    void gridLaysOutRowsWithPadding() throws IOException {
        BufferedImage g = ImageIO.read(new ByteArrayInputStream(PngImages.grid(Nd4j.ones(5, 1, 3, 3), 2, 2)));
        assertEquals(2 * (3 + 2) + 2, g.getWidth());
        assertEquals(3 * (3 + 2) + 2, g.getHeight());
        assertEquals(255, g.getRaster().getSample(2, 2, 0));
        assertEquals(0, g.getRaster().getSample(0, 0, 0));
        assertEquals(0, g.getRaster().getSample(9, 14, 0), "the sixth cell is empty");
        assertThrows(IllegalArgumentException.class, () -> PngImages.grid(Nd4j.ones(2, 3, 3, 3), 2, 2));
    }
}
