package org.diffusionlabs.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabeledImagesTest {

    /** n images of 1×2×2 whose pixels all equal the image index, labels i % classes. */
    private static LabeledImages indexed(int n, int classes) {
        INDArray x = Nd4j.arange(n).castTo(DataType.FLOAT).reshape(n, 1, 1, 1).repeat(3, 2).repeat(2, 2);
        x = x.reshape('c', n, 1, 2, 2).dup('c');
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
        }
        return new LabeledImages(x.castTo(DataType.FLOAT), y);
    }

    private static int imageIndex(LabeledImages d, int i) {
        return Math.round(d.images().getFloat(i, 0, 1, 1));
    }

    @Test
    void subsetPicksImagesAndLabelsInOrder() {
        LabeledImages d = indexed(10, 3);
        LabeledImages s = d.subset(new int[] {7, 2, 2});
        assertArrayEquals(new long[] {3, 1, 2, 2}, s.images().shape());
        assertArrayEquals(new int[] {1, 2, 2}, s.labels());
        assertEquals(7, imageIndex(s, 0));
        assertEquals(2, imageIndex(s, 2));
        assertEquals(2f, s.images().getFloat(1, 0, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.subset(new int[] {10}));
        assertTrue(e.getMessage().contains("indices[0]") && e.getMessage().contains("10"), e.getMessage());
    }

    @Test
    void splitIsStratifiedDisjointAndDeterministic() {
        LabeledImages d = indexed(100, 4); // 25 per class
        LabeledImages.Split a = d.split(0.2, 42);
        assertEquals(80, a.train().size());
        assertEquals(20, a.heldOut().size());
        assertArrayEquals(new int[] {5, 5, 5, 5}, a.heldOut().countsPerLabel());
        Set<Integer> seen = new HashSet<>();
        for (LabeledImages part : new LabeledImages[] {a.train(), a.heldOut()}) {
            for (int i = 0; i < part.size(); i++) {
                int idx = imageIndex(part, i);
                assertTrue(seen.add(idx), "image " + idx + " in both splits");
                assertEquals(idx % 4, part.label(i));
                if (i > 0) {
                    assertTrue(imageIndex(part, i - 1) < idx, "original order kept");
                }
            }
        }
        assertEquals(100, seen.size());
        LabeledImages.Split b = d.split(0.2, 42);
        assertTrue(a.heldOut().images().equals(b.heldOut().images()));
        LabeledImages.Split c = d.split(0.2, 43);
        assertFalse(a.heldOut().images().equals(c.heldOut().images()));
    }

    @Test
    void splitOfTheEmbeddedMnistKeepsTheClassBalance() {
        LabeledImages.Split s = MnistEmbedded.load().split(0.1, 7);
        int[] held = s.heldOut().countsPerLabel();
        assertArrayEquals(new int[] {100, 113, 99, 103, 98, 86, 101, 107, 94, 98}, held);
        assertEquals(10_000 - Arrays.stream(held).sum(), s.train().size());
    }

    @Test
    void rejectsBadArguments() {
        LabeledImages d = indexed(4, 2);
        assertThrows(IllegalArgumentException.class, () -> d.split(0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.split(1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.split(0.01, 1));
        assertTrue(e.getMessage().contains("non-empty"), e.getMessage());
        INDArray x = Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 2);
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(x, new int[] {0}));
        assertTrue(e.getMessage().contains("labels.length"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(x, new int[] {0, -1}));
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 2), new int[] {0}));
        int[] y = {1, 0};
        LabeledImages ok = new LabeledImages(x, y);
        y[0] = 5;
        assertEquals(1, ok.label(0), "labels are copied");
    }
}
