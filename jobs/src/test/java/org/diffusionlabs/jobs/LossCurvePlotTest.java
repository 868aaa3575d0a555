package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossCurvePlotTest {
    private static Map<String, Object> row(long step, Object loss) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("loss", loss);
        r.put("lr", 1e-3);
        return r;
    }

    /** A loss falling from 1 to about 0.02 with noise, as a real run logs it. */
    private static List<Map<String, Object>> run(int steps) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 1; s <= steps; s++) {
            rows.add(row(s, 0.02 + Math.exp(-s / 40.0) * (1 + 0.3 * Math.sin(s * 1.7))));
        }
        return rows;
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(LossCurvePlot.WIDTH, img.getWidth());
        assertEquals(LossCurvePlot.HEIGHT, img.getHeight());
        return img;
    }

    /** Pixels that are clearly blue (the curves), not grey, black or white. */
    private static int bluePixels(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int b = rgb & 0xff;
                if (b - r > 60) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void drawsACurveOfTheRightSize() throws IOException {
        BufferedImage img = decode(LossCurvePlot.png(run(300), "mnist"));
        assertTrue(bluePixels(img) > 500, "the curves are drawn: " + bluePixels(img));
    }

    @Test
    void onePointAndNoPointAreStillPlots() throws IOException {
        assertTrue(bluePixels(decode(LossCurvePlot.png(List.of(row(1, 0.9)), "one"))) > 5, "a marker for one point");
        assertEquals(0, bluePixels(decode(LossCurvePlot.png(List.of(), "none"))));
        assertEquals(0, bluePixels(decode(LossCurvePlot.png(List.of(row(1, Double.NaN)), "nan"))));
    }

    @Test
    void nonFiniteAndNonPositiveRowsAreSkipped() {
        List<Map<String, Object>> clean = run(50);
        List<Map<String, Object>> dirty = new ArrayList<>(clean);
        dirty.add(10, row(100, Double.NaN));
        dirty.add(20, row(101, "Infinity"));
        dirty.add(30, row(102, Double.NEGATIVE_INFINITY));
        dirty.add(31, row(103, 0.0));
        dirty.add(32, Map.of("step", "x", "loss", 0.5));
        dirty.add(33, Map.of("lr", 0.5));
        assertArrayEquals(LossCurvePlot.png(clean, "r"), LossCurvePlot.png(dirty, "r"));
    }

    @Test
    void aResumedLogKeepsTheLastRowOfARepeatedStep() {
        List<Map<String, Object>> log = new ArrayList<>(run(30));
        List<Map<String, Object>> last = new ArrayList<>(run(30).subList(0, 20));
        for (int s = 21; s <= 40; s++) { // resumed from the step-20 checkpoint: 21..30 again, with other values
            log.add(row(s, 0.5 / s));
            last.add(row(s, 0.5 / s));
        }
        assertArrayEquals(LossCurvePlot.png(last, "r"), LossCurvePlot.png(log, "r"));
        assertFalse(java.util.Arrays.equals(LossCurvePlot.png(run(40), "r"), LossCurvePlot.png(log, "r")));
    }

    @Test
    void movingAverageIsTrailing() {
        assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, LossCurvePlot.movingAverage(new double[] {1, 2, 3, 4}, 2));
        assertEquals(1, LossCurvePlot.window(3));
        assertEquals(150, LossCurvePlot.window(3000));
        assertEquals(200, LossCurvePlot.window(100_000));
    }
}
