package org.diffusionlabs.spark;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Example weighting, exactness for one contribution, rejection counting and the layout check of merge. */
class WeightAveragerTest {
    private static WeightSnapshot snap(String name, float... v) {
        return new WeightSnapshot(new String[] {name}, new long[][] {{v.length}}, v, 3, 3);
    }

    private static PartitionResult result(int p, long examples, float... v) {
        return new PartitionResult(p, snap("param/w", v), examples, List.of(Map.of("loss", (double) p)), null);
    }

    @Test
    void averagesWeightedByExamples() {
        WeightAverager a = new WeightAverager().add(result(0, 8, 1f, 2f));
        WeightAverager b = new WeightAverager().add(result(1, 4, 4f, -1f)).add(PartitionResult.rejected(2, "NaN"));
        WeightAverager all = a.merge(b);
        assertArrayEquals(new float[] {2f, 1f}, all.average().values());
        assertEquals(12, all.examples());
        assertEquals(2, all.contributions());
        assertEquals(1, all.rejected());
        assertEquals(List.of("partition 2: NaN"), all.rejections());
        assertEquals(4.0 / 12, all.stepLosses().get(0).get("loss"), 1e-15);
    }

    @Test
    void oneContributionAveragesToItselfBitForBit() {
        float[] v = {0.1f, -3.3333333f, 1e-30f, 12345.679f};
        assertArrayEquals(v, new WeightAverager().add(result(0, 1536, v)).average().values());
    }

    @Test
    void mergeRejectsDifferentLayoutsAndEmptyAveragesFail() {
        WeightAverager a = new WeightAverager().add(result(0, 1, 1f));
        WeightAverager b = new WeightAverager().add(new PartitionResult(1, snap("param/other", 1f), 1, List.of(), null));
        assertThrows(IllegalStateException.class, () -> a.merge(b));
        assertThrows(IllegalStateException.class, () -> new WeightAverager().add(PartitionResult.rejected(0, "x")).average());
    }
}
