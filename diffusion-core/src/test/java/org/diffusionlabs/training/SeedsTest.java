package org.diffusionlabs.training;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Derived seeds are pure functions with distinct low words; the data cursor position follows from consumed images; SGD. */
class SeedsTest {
    @Test
    void seedsArePureAndDistinctInTheLow32Bits() {
        assertEquals(Seeds.step(3, 17, 2), Seeds.step(3, 17, 2));
        Set<Integer> low = new HashSet<>();
        for (int p = 0; p < 8; p++) {
            for (long s = 0; s < 64; s++) {
                low.add((int) Seeds.step(3, s, p));
            }
            low.add((int) Seeds.data(3, p));
        }
        assertEquals(8 * 64 + 8, low.size(), "MT19937 is seeded with the low 32 bits");
        assertNotEquals(Seeds.step(3, 0, 0), Seeds.step(4, 0, 0));
    }

    @Test
    void aCursorAtConsumedImagesGivesTheBatchesOfOneThatConsumedThem() {
        DataCursor walked = DataCursor.start(5, 7);
        for (int i = 0; i < 4; i++) {
            walked = walked.next(3).after();
        }
        DataCursor at = DataCursor.at(5, 7, 12);
        assertEquals(walked, at);
        assertEquals(java.util.Arrays.toString(walked.next(5).indices()), java.util.Arrays.toString(at.next(5).indices()));
        assertThrows(IllegalArgumentException.class, () -> DataCursor.at(5, 7, -1));
    }

    @Test
    void sgdSubtractsTheScaledGradientAndHasNoState() {
        Sgd sgd = new Sgd();
        INDArray p = Nd4j.createFromArray(1f, 2f);
        sgd.step(Map.of("p", p), Map.of("p", Nd4j.createFromArray(10f, -10f)), 0.1);
        assertEquals(Nd4j.createFromArray(0f, 3f), p);
        assertEquals(1, sgd.steps());
        assertEquals(Map.of(), sgd.state());
        assertThrows(IllegalArgumentException.class, () -> sgd.restore(Map.of("m.p", p), 1));
    }
}
