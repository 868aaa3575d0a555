package org.diffusionlabs.transforms;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rasteriser checks derived by hand from Pillow 9.4's Draw.c rules (the end-to-end parity check is
 * InpaintingTransformTest.brushStrokeMaskImage = 26860 pixels).
 */
class BinaryCanvasTest {

    @Test
    void wideHorizontalLineIsAFilledRectangle() {
        // width 3: half-width 1 → dy offsets ROUND_DOWN(0.1·10) = 1 above and below; rows 9..11, cols 10..20.
        BinaryCanvas c = new BinaryCanvas(32, 32);
        c.line(new int[][] {{10, 10}, {20, 10}}, 3);
        assertEquals(33, c.count());
        assertTrue(c.get(10, 9) && c.get(20, 11));
        assertFalse(c.get(9, 10) || c.get(21, 10) || c.get(15, 8) || c.get(15, 12));
    }

    @Test
    void thinLineIsBresenhamPlusTheLastPoint() {
        BinaryCanvas c = new BinaryCanvas(14, 14);
        c.line(new int[][] {{2, 2}, {11, 6}}, 1);
        int[][] expected = {{2, 2}, {3, 2}, {4, 3}, {5, 3}, {6, 4}, {7, 4}, {8, 5}, {9, 5}, {10, 6}, {11, 6}};
        assertEquals(expected.length, c.count());
        for (int[] p : expected) {
            assertTrue(c.get(p[0], p[1]), "pixel " + p[0] + "," + p[1]);
        }
    }

    @Test
    void degenerateWideSegmentIsOnePoint() {
        BinaryCanvas c = new BinaryCanvas(8, 8);
        c.line(new int[][] {{3, 3}, {3, 3}}, 5);
        assertEquals(1, c.count());
    }

    @Test
    void filledEllipseIsSymmetricInsideItsBoxAndTouchesItsSides() {
        BinaryCanvas c = new BinaryCanvas(64, 64);
        c.fillEllipse(10, 12, 50, 40);
        int area = c.count();
        assertEquals(Math.PI * 20.5 * 14.5, area, 40);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (c.get(x, y)) {
                    assertTrue(x >= 10 && x <= 50 && y >= 12 && y <= 40);
                    assertTrue(c.get(60 - x, y) && c.get(x, 52 - y), "symmetric at " + x + "," + y);
                }
            }
        }
        assertTrue(c.get(10, 26) && c.get(50, 26) && c.get(30, 12) && c.get(30, 40));
    }

    @Test
    void smallEllipseIsAPlus() {
        BinaryCanvas c = new BinaryCanvas(5, 5);
        c.fillEllipse(1, 1, 3, 3);
        assertEquals(5, c.count());
        assertTrue(c.get(2, 1) && c.get(1, 2) && c.get(2, 2) && c.get(3, 2) && c.get(2, 3));
    }

    @Test
    void drawingIsClippedAndConvertsToAMask() {
        BinaryCanvas c = new BinaryCanvas(16, 8);
        c.fillEllipse(-20, -20, 40, 40);
        c.line(new int[][] {{-5, -5}, {30, 30}}, 9);
        assertEquals(16 * 8, c.count());
        INDArray m = c.toMask(DataType.DOUBLE);
        assertArrayEquals(new long[] {1, 8, 16}, m.shape());
        assertEquals(128.0, m.sumNumber().doubleValue(), 0);
    }
}
