package org.diffusionlabs.nd;

import org.diffusionlabs.testing.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The integer linspace against every {@code torch.linspace(..., dtype=torch.int)} result in the golden data. */
class LinspaceTest {

    @Test
    void tutorialEvalStepsMatchTorchIncludingItsVectorizedBlocks() {
        long[] expected = Golden.load("schedules.json").longs("ddpm_strided_eval_tutorial/eval_steps");
        long[] actual = Linspace.ofInts(0, 999, 250);
        assertArrayEquals(expected, actual);
        assertEquals(332, actual[83], "the vectorized block base truncates first");
        assertEquals(333, Linspace.ofLongs(0, 999, 250)[83], "the per-element form differs here");
    }

    @Test
    void shortLinspacesMatchTheSamplerGoldens() {
        Golden g = Golden.load("predictors_samplers.json");
        assertArrayEquals(g.longs("ddpm/trajectory_strided_10.eval_steps"), Linspace.ofInts(0, 999, 10));
        assertArrayEquals(g.longs("ddim/trajectory_11_eval_steps.eval_steps"), Linspace.ofInts(0, 999, 11));
    }

    @Test
    void edgeCases() {
        assertArrayEquals(new long[0], Linspace.ofInts(0, 9, 0));
        assertArrayEquals(new long[] {3}, Linspace.ofInts(3, 9, 1));
        long[] identity = Linspace.ofInts(0, 99, 100);
        for (int i = 0; i < identity.length; i++) {
            assertEquals(i, identity[i]);
        }
    }

    @Test
    void evalStepsAreStrictlyIncreasingFromZeroForEveryRespaceUpToTheSteps() {
        for (int steps = 2; steps <= 400; steps++) {
            for (int k = 2; k <= steps; k++) {
                long[] eval = Linspace.ofInts(0, steps - 1, k);
                assertEquals(0, eval[0]);
                for (int i = 1; i < k; i++) {
                    if (eval[i] <= eval[i - 1] || eval[i] >= steps) {
                        throw new AssertionError("steps " + steps + ", k " + k + ": " + java.util.Arrays.toString(eval));
                    }
                }
            }
        }
    }
}
