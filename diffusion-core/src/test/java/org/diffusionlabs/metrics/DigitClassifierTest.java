package org.diffusionlabs.metrics;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.Normalize;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigitClassifierTest {
    /** Every {@code stride}-th embedded digit from {@code offset} (the file is ordered by class). */
    private static LabeledImages digits(int offset, int stride) {
        LabeledImages all = MnistEmbedded.load();
        LabeledImages part = all.subset(IntStream.iterate(offset, i -> i < all.size(), i -> i + stride).toArray());
        return new LabeledImages(Normalize.toSigned(part.images()), part.labels());
    }

    @Test
    void hasTheDocumentedParameterCountAndOutputShapes() {
        DigitClassifier c = DigitClassifier.initial(0);
        long count = c.weights().values().stream().mapToLong(INDArray::length).sum();
        assertEquals(184_586, count);
        DigitClassifier.Output out = c.classify(Nd4j.zeros(3, 1, 28, 28));
        assertArrayEquals(new long[] {3, 10}, out.logits().shape());
        assertArrayEquals(new long[] {3, 128}, out.features().shape());
    }

    @Test
    void learnsDigitsFromAFewHundredExamples() {
        DigitClassifier c = DigitClassifier.initial(1);
        LabeledImages train = digits(0, 25);
        LabeledImages test = digits(1, 10);
        double before = ClassifierTraining.accuracy(c, test);
        ClassifierTraining.fit(c, train, new ClassifierTraining.Settings(6, 32, 1e-3, 2, 7), null);
        double after = ClassifierTraining.accuracy(c, test);
        assertTrue(before < 0.3, "untrained accuracy " + before);
        assertTrue(after > 0.8, "accuracy after 6 epochs on 400 digits: " + after);
    }

    @Test
    void trainingIsDeterministicForASeed() {
        LabeledImages train = digits(0, 150);
        DigitClassifier a = DigitClassifier.initial(2);
        DigitClassifier b = DigitClassifier.initial(2);
        ClassifierTraining.Settings s = new ClassifierTraining.Settings(1, 16, 1e-3, 2, 3);
        ClassifierTraining.fit(a, train, s, null);
        ClassifierTraining.fit(b, train, s, null);
        a.weights().forEach((k, v) -> assertEquals(v, b.weights().get(k), k));
        assertNotEquals(DigitClassifier.initial(2).weights().get("fc2.bias"), a.weights().get("fc2.bias"));
    }

    @Test
    void loadRejectsMissingExtraAndMisShapedTensors() {
        Map<String, INDArray> w = new LinkedHashMap<>(DigitClassifier.initial(0).weights());
        assertEquals(w.keySet(), DigitClassifier.load(w).weights().keySet());
        Map<String, INDArray> missing = new LinkedHashMap<>(w);
        missing.remove("conv2.bias");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DigitClassifier.load(missing)).getMessage()
                .contains("conv2.bias"));
        Map<String, INDArray> extra = new LinkedHashMap<>(w);
        extra.put("fc3.weight", Nd4j.zeros(2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DigitClassifier.load(extra)).getMessage()
                .contains("fc3.weight"));
        Map<String, INDArray> shaped = new LinkedHashMap<>(w);
        shaped.put("fc1.weight", Nd4j.zeros(128, 1000));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DigitClassifier.load(shaped)).getMessage()
                .contains("fc1.weight"));
    }

    @Test
    void rejectsImagesOfTheWrongSize() {
        assertThrows(IllegalArgumentException.class, () -> DigitClassifier.initial(0).classify(Nd4j.zeros(2, 1, 32, 32)));
    }
}
