package org.diffusionlabs.transforms;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known outputs of NumPy's legacy RandomState (np.random.seed(s) then the global functions). */
class NumpyRandomStateTest {

    @Test
    void randomSampleSeed0() {
        NumpyRandomState np = new NumpyRandomState(0);
        assertEquals(0.5488135039273248, np.randomSample(), 0);
        assertEquals(0.7151893663724195, np.randomSample(), 0);
    }

    @Test
    void randintSeed0() {
        assertArrayEquals(new long[] {5, 0, 3, 3, 7}, new NumpyRandomState(0).randint(0, 10, 5));
    }

    @Test
    void uniformIsAffineRandomSample() {
        NumpyRandomState a = new NumpyRandomState(7);
        NumpyRandomState b = new NumpyRandomState(7);
        assertEquals(2.0 + 3.0 * a.randomSample(), b.uniform(2.0, 5.0), 0);
    }

    @Test
    void normalUsesTheCachedSecondValue() {
        NumpyRandomState a = new NumpyRandomState(3);
        double first = a.standardNormal();
        double second = a.standardNormal();
        // Both values of a polar pair come from one accepted (x1, x2): consuming the pair uses an even number of
        // uniforms, so a third draw starts a new pair.
        NumpyRandomState b = new NumpyRandomState(3);
        assertEquals(1.0 + 2.0 * first, b.normal(1.0, 2.0), 0);
        assertEquals(second, b.standardNormal(), 0);
        assertTrue(Double.isFinite(first) && Double.isFinite(second));
    }

    @Test
    void brushStrokeDrawsForSeed1MatchTheReference() {
        // spec / reference-tests: set_seed(1) → 2 strokes, [(140,136),(106,137),(84,136)] width 103,
        // then [(148,190),(98,192)] width 134.
        NumpyRandomState np = new NumpyRandomState(1);
        assertEquals(2, np.randint(1, 3));
        int n1 = (int) np.randint(1, 3);
        assertArrayEquals(new int[][] {{140, 136}, {106, 137}, {84, 136}}, InpaintingMasks.generateVertexes(n1, 256, 256, np));
        assertEquals(103, (int) np.uniform(80, 140));
        int n2 = (int) np.randint(1, 3);
        assertArrayEquals(new int[][] {{148, 190}, {98, 192}}, InpaintingMasks.generateVertexes(n2, 256, 256, np));
        assertEquals(134, (int) np.uniform(80, 140));
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1).randint(3, 3));
        assertTrue(e.getMessage().contains("hi"));
        assertEquals(4, new NumpyRandomState(1).randint(4, 5));
    }
}
