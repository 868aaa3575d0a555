package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ZeroPad2d: values land at (top, left), the border is zero, backward returns exactly the interior. */
class ZeroPad2dTest {
    @Test
    void padsEachSideAsAskedAndBackwardTakesTheInterior() {
        INDArray x = Nd4j.arange(1, 2 * 3 * 2 * 3 + 1).castTo(DataType.FLOAT).reshape(2, 3, 2, 3);
        try (Arena arena = new Arena()) {
            ZeroPad2d pad = new ZeroPad2d(0, 1, 2, 1);
            INDArray y = pad.forward(arena, x, true);
            assertArrayEquals(new long[] {2, 3, 5, 4}, y.shape());
            assertEquals(x.sumNumber().doubleValue(), y.sumNumber().doubleValue(), 0);
            assertEquals(x.getFloat(1, 2, 0, 0), y.getFloat(1, 2, 2, 0));
            assertEquals(x.getFloat(1, 2, 1, 2), y.getFloat(1, 2, 3, 2));
            assertEquals(0f, y.getFloat(1, 2, 1, 0));
            assertEquals(0f, y.getFloat(1, 2, 2, 3));
            assertEquals(0f, y.getFloat(1, 2, 4, 1));
            INDArray dy = arena.take(y.shape()).assign(y).muli(3);
            INDArray dx = pad.backward(arena, dy);
            assertEquals(x.mul(3), dx);
        }
    }

    @Test
    void negativePaddingIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ZeroPad2d(0, -1, 0, 1));
    }
}
