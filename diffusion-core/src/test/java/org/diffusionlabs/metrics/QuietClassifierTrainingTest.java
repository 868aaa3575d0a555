package org.diffusionlabs.metrics;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.Normalize;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Training the digit classifier builds SameDiff's gradient function, which prints a line per op to
 * {@code System.out} ("Added differentiated op ..."); the library keeps those lines off the caller's stdout (a
 * notebook cell, a job's machine output).
 */
class QuietClassifierTrainingTest {
    @Test
    void fitPrintsNoPerOpLinesOnStdout() {
        LabeledImages all = MnistEmbedded.load();
        LabeledImages few = all.subset(IntStream.range(0, 8).map(i -> i * 1000).toArray());
        LabeledImages data = new LabeledImages(Normalize.toSigned(few.images()), few.labels());
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ClassifierTraining.fit(DigitClassifier.initial(0), data, new ClassifierTraining.Settings(1, 8, 1e-3, 0, 1),
                    null);
            System.out.println("a line of the caller's");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        long perOp = out.lines().filter(l -> l.startsWith("Added differentiated op ")).count();
        assertEquals(0, perOp, "per-op lines on stdout, e.g. "
                + out.lines().filter(l -> l.startsWith("Added differentiated op ")).findFirst().orElse(""));
        assertEquals("a line of the caller's", out.strip(), "the caller's own output still reaches stdout");
    }
}
