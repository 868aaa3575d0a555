package org.diffusionlabs.metrics;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.SameDiffChatter;
import org.diffusionlabs.training.AdamW;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link DigitClassifier} with Adam (learning rate cosine-annealed per epoch from {@code lr} towards 0) on
 * labelled digits in [−1, 1], each image shifted by a random whole
 * number of pixels in [−{@code maxShift}, {@code maxShift}] per axis every epoch (the background −1 fills the gap), so a
 * thousand digits suffice for a robust judge. Deterministic for a seed on CPU.
 */
public final class ClassifierTraining {
    private static final String OWNER = "ClassifierTraining";

    /** Hyper-parameters of a run. */
    public record Settings(int epochs, int batch, double lr, int maxShift, long seed) {
        public Settings {
            Checks.positive(epochs, OWNER, "epochs");
            Checks.positive(batch, OWNER, "batch");
            Checks.require(lr > 0 && Double.isFinite(lr), OWNER, "lr", lr, "must be finite and > 0");
            Checks.require(maxShift >= 0 && maxShift < DigitClassifier.SIDE / 2, OWNER, "maxShift", maxShift,
                    "must be in [0, 14)");
        }

        /** 30 epochs, batch 64, lr 1e-3, shifts up to 2 pixels. */
        public static Settings defaults(long seed) {
            return new Settings(30, 64, 1e-3, 2, seed);
        }
    }

    /** Called after every epoch with its mean training loss. */
    public interface Listener {
        void onEpoch(int epoch, double meanLoss);
    }

    private ClassifierTraining() {}

    /** Trains {@code classifier} in place on {@code data} (images [n, 1, 28, 28] in [−1, 1]). */
    public static void fit(DigitClassifier classifier, LabeledImages data, Settings s, Listener listener) {
        Checks.notNull(classifier, OWNER, "classifier");
        Checks.notNull(data, OWNER, "data");
        INDArray images = data.images();
        Checks.require(images.size(1) == 1 && images.size(2) == DigitClassifier.SIDE && images.size(3) == DigitClassifier.SIDE,
                OWNER, "data.images.shape", images.shape(), "must be [n, 1, 28, 28]");
        Rng rng = new Rng(s.seed());
        AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0.0);
        Map<String, INDArray> params = classifier.weights();
        List<String> names = new ArrayList<>(params.keySet());
        int n = data.size();
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            int[] order = rng.permutation(n);
            double lr = s.lr() * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / s.epochs()));
            double sum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += s.batch()) {
                int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(n, from + s.batch()));
                INDArray x = shifted(images, idx, s.maxShift(), rng);
                INDArray y = Nd4j.zeros(DataType.FLOAT, idx.length, DigitClassifier.CLASSES);
                for (int i = 0; i < idx.length; i++) {
                    y.putScalar(i, data.label(idx[i]), 1f);
                }
                Map<String, INDArray> feed = Map.of(DigitClassifier.X, x, DigitClassifier.Y, y);
                Map<String, INDArray> grads =
                        SameDiffChatter.quiet(() -> classifier.sameDiff().calculateGradients(feed, names));
                sum += classifier.sameDiff().output(feed, DigitClassifier.LOSS).get(DigitClassifier.LOSS).getDouble(0);
                batches++;
                Map<String, INDArray> g = new LinkedHashMap<>();
                names.forEach(k -> g.put(k, grads.get(k)));
                adam.step(params, g, lr);
            }
            if (listener != null) {
                listener.onEpoch(epoch, sum / batches);
            }
        }
    }

    /** Fraction of {@code data} whose arg-max class equals its label. */
    public static double accuracy(DigitClassifier classifier, LabeledImages data) {
        int[] p = classifier.classify(data.images()).predictions();
        int right = 0;
        for (int i = 0; i < p.length; i++) {
            right += p[i] == data.label(i) ? 1 : 0;
        }
        return right / (double) p.length;
    }


    /** The chosen images, each translated by its own random offset, background −1. */
    static INDArray shifted(INDArray images, int[] idx, int maxShift, Rng rng) {
        int side = DigitClassifier.SIDE;
        int pad = maxShift;
        INDArray out = Nd4j.valueArrayOf(new long[] {idx.length, 1, side, side}, -1f, DataType.FLOAT);
        for (int i = 0; i < idx.length; i++) {
            int dy = (int) rng.randint(-pad, pad + 1);
            int dx = (int) rng.randint(-pad, pad + 1);
            INDArray src = images.get(NDArrayIndex.point(idx[i]), NDArrayIndex.all(),
                    NDArrayIndex.interval(Math.max(0, -dy), side - Math.max(0, dy)),
                    NDArrayIndex.interval(Math.max(0, -dx), side - Math.max(0, dx)));
            out.get(NDArrayIndex.point(i), NDArrayIndex.all(),
                    NDArrayIndex.interval(Math.max(0, dy), side - Math.max(0, -dy)),
                    NDArrayIndex.interval(Math.max(0, dx), side - Math.max(0, -dx))).assign(src);
        }
        return out;
    }
}
