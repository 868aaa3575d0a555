package org.diffusionlabs.metrics;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The quality of class-conditional samples as a {@link DigitClassifier} judges it: per requested digit, how many
 * samples it classifies as that digit; the Fréchet distance ("FD") of their features to real digits; and, as the scale
 * to read it on, the distance of as many other real digits to the same reference (what a perfect generator would get
 * at this sample count, since the distance is biased upwards for small sets).
 *
 * @param requested  samples per digit 0–9
 * @param correct    of them classified as requested
 * @param frechet    FD of the samples to the reference half of the real digits
 * @param frechetReal FD of as many real digits (the other half) to the same reference
 */
public record SampleQuality(int[] requested, int[] correct, double frechet, double frechetReal) {
    private static final String OWNER = "SampleQuality";

    /**
     * Scores {@code samples} (images [n, 1, 28, 28] in [−1, 1], label = requested digit) against {@code real} digits,
     * split into two halves by a permutation drawn from {@code seed}.
     */
    public static SampleQuality measure(DigitClassifier classifier, LabeledImages samples, LabeledImages real, long seed) {
        Checks.notNull(classifier, OWNER, "classifier");
        Checks.require(samples.size() >= 2, OWNER, "samples.size", samples.size(), "must be >= 2");
        Checks.require(real.size() >= 4, OWNER, "real.size", real.size(), "must be >= 4");
        DigitClassifier.Output out = classifier.classify(samples.images());
        int[] predicted = out.predictions();
        int[] requested = new int[DigitClassifier.CLASSES];
        int[] correct = new int[DigitClassifier.CLASSES];
        for (int i = 0; i < predicted.length; i++) {
            int want = samples.label(i);
            Checks.require(want < DigitClassifier.CLASSES, OWNER, "samples.label(" + i + ")", want, "must be a digit 0-9");
            requested[want]++;
            correct[want] += predicted[i] == want ? 1 : 0;
        }
        int[] order = new Rng(seed).permutation(real.size());
        int half = real.size() / 2;
        int[] reference = java.util.Arrays.copyOfRange(order, 0, half);
        int[] others = java.util.Arrays.copyOfRange(order, half, Math.min(real.size(), half + Math.max(2, samples.size())));
        INDArray refFeatures = classifier.classify(real.subset(reference).images()).features();
        INDArray otherFeatures = classifier.classify(real.subset(others).images()).features();
        return new SampleQuality(requested, correct, FrechetDistance.between(out.features(), refFeatures),
                FrechetDistance.between(otherFeatures, refFeatures));
    }

    /** Share of all samples classified as requested. */
    public double accuracy() {
        return java.util.Arrays.stream(correct).sum() / (double) java.util.Arrays.stream(requested).sum();
    }

    /** The lowest per-digit accuracy among the digits that were requested. */
    public double worstDigitAccuracy() {
        double worst = 1;
        for (int d = 0; d < requested.length; d++) {
            if (requested[d] > 0) {
                worst = Math.min(worst, correct[d] / (double) requested[d]);
            }
        }
        return worst;
    }

    /** A plain-text report: a line per digit, then the totals. */
    public String table() {
        StringBuilder b = new StringBuilder("digit  samples  correct  accuracy\n");
        for (int d = 0; d < requested.length; d++) {
            if (requested[d] > 0) {
                b.append(String.format(Locale.ROOT, "%5d  %7d  %7d  %7.1f %%%n", d, requested[d], correct[d],
                        100.0 * correct[d] / requested[d]));
            }
        }
        b.append(String.format(Locale.ROOT, "  all  %7d  %7d  %7.1f %%   (worst digit %.1f %%)%n",
                java.util.Arrays.stream(requested).sum(), java.util.Arrays.stream(correct).sum(), 100 * accuracy(),
                100 * worstDigitAccuracy()));
        b.append(String.format(Locale.ROOT, "Frechet distance to real digits: %.2f (real digits, same count: %.2f)",
                frechet, frechetReal));
        return b.toString();
    }

    /** The figures as a JSON-ready map, with {@code about} (the classifier's provenance) attached. */
    public Map<String, Object> asMap(Map<String, String> about) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", java.util.Arrays.stream(requested).sum());
        m.put("accuracy", accuracy());
        m.put("worst_digit_accuracy", worstDigitAccuracy());
        Map<String, Double> perDigit = new LinkedHashMap<>();
        for (int d = 0; d < requested.length; d++) {
            if (requested[d] > 0) {
                perDigit.put(Integer.toString(d), correct[d] / (double) requested[d]);
            }
        }
        m.put("per_digit_accuracy", perDigit);
        m.put("frechet_distance", frechet);
        m.put("frechet_distance_real_same_count", frechetReal);
        m.put("classifier", about);
        return m;
    }
}
