package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A labelled image set: {@code images} float32 {@code [n, c, h, w]} (C order, values in [0, 1] for the readers of
 * this package) and {@code labels[i]} ≥ 0 the class of image i. The common currency of all data readers; n ≥ 1.
 * Optionally {@code embeddings} float32 {@code [n, d]}: a condition vector per image (e.g. a text or CLIP embedding)
 * for models conditioned on vectors rather than class labels; null when absent. The label array is copied on the
 * way in and out, the images and embeddings arrays are shared (not copied).
 */
public record LabeledImages(INDArray images, int[] labels, INDArray embeddings) {
    private static final String OWNER = "LabeledImages";

    /** A (train, held-out) pair produced by {@link #split(double, long)}. */
    public record Split(LabeledImages train, LabeledImages heldOut) {}

    public LabeledImages {
        Checks.notNull(images, OWNER, "images");
        Checks.notNull(labels, OWNER, "labels");
        Checks.require(images.rank() == 4, OWNER, "images.shape", images.shape(), "must be rank 4 [n, c, h, w]");
        Checks.require(images.dataType() == DataType.FLOAT, OWNER, "images.dataType", images.dataType(), "must be FLOAT");
        Checks.require(images.size(0) >= 1, OWNER, "images.shape", images.shape(), "must hold at least one image");
        Checks.require(images.size(0) == labels.length, OWNER, "labels.length", labels.length,
                "must equal the number of images " + images.size(0));
        Checks.require(embeddings == null || (embeddings.rank() == 2 && embeddings.size(0) == images.size(0)), OWNER,
                "embeddings.shape", embeddings == null ? null : Arrays.toString(embeddings.shape()),
                "must be [n, d] with n = " + images.size(0));
        Checks.require(embeddings == null || embeddings.dataType() == DataType.FLOAT, OWNER, "embeddings.dataType",
                embeddings == null ? null : embeddings.dataType(), "must be FLOAT");
        labels = labels.clone();
        for (int i = 0; i < labels.length; i++) {
            Checks.require(labels[i] >= 0, OWNER, "labels[" + i + "]", labels[i], "must be >= 0");
        }
    }

    /** Images and labels without condition vectors. */
    public LabeledImages(INDArray images, int[] labels) {
        this(images, labels, null);
    }

    /** The same images and labels with a condition vector per image ({@code [n, d]} float32). */
    public LabeledImages withEmbeddings(INDArray perImage) {
        return new LabeledImages(images, labels, Checks.notNull(perImage, OWNER, "embeddings"));
    }

    /**
     * Stacks planar images {@code [channels][height][width]} (one {@code float[]} each, as the readers decode them)
     * and their labels into one set.
     */
    public static LabeledImages stack(List<float[]> images, int[] labels, int channels, int height, int width) {
        Checks.notNull(images, OWNER, "images");
        Checks.require(!images.isEmpty(), OWNER, "images.size", 0, "must hold at least one image");
        int per = channels * height * width;
        float[] all = new float[Math.multiplyExact(images.size(), per)];
        for (int i = 0; i < images.size(); i++) {
            float[] img = images.get(i);
            Checks.require(img.length == per, OWNER, "images[" + i + "].length", img.length,
                    "must be channels·height·width = " + per);
            System.arraycopy(img, 0, all, i * per, per);
        }
        return new LabeledImages(Nd4j.create(all, new long[] {images.size(), channels, height, width}, 'c'), labels);
    }

    /** A copy of the labels. */
    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** The number of images n. */
    public int size() {
        return labels.length;
    }

    /** How many images carry each label 0..max(label). */
    public int[] countsPerLabel() {
        int[] counts = new int[Arrays.stream(labels).max().orElse(-1) + 1];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** The images and labels at {@code indices}, in that order (repeats allowed); the images are copied. */
    public LabeledImages subset(int[] indices) {
        Checks.notNull(indices, OWNER, "indices");
        Checks.require(indices.length > 0, OWNER, "indices.length", 0, "must select at least one image");
        int[] picked = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int k = indices[i];
            Checks.require(k >= 0 && k < labels.length, OWNER, "indices[" + i + "]", k,
                    "must be in [0, " + labels.length + ")");
            picked[i] = labels[k];
        }
        long[] shape = images.shape();
        long per = shape[1] * shape[2] * shape[3];
        INDArray source = contiguous(images);
        INDArray flat = source.reshape('c', shape[0], per);
        INDArray rows = Nd4j.pullRows(flat, 1, indices);
        INDArray picks = embeddings == null ? null : Nd4j.pullRows(contiguous(embeddings), 1, indices);
        return new LabeledImages(rows.reshape('c', indices.length, shape[1], shape[2], shape[3]), picked, picks);
    }

    /** {@code a} itself when it is a C-ordered array of its own, else a C-ordered copy (what row pulls need). */
    private static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
    }

    /**
     * A deterministic split stratified per class: of the m images of each label, {@code round(m · heldOutFraction)}
     * chosen by a seeded shuffle go to the held-out set, the rest to the training set; both keep the original
     * order. Same data, fraction and seed give the same split on every JVM ({@link Random} is specified). Used to
     * keep MNIST images the generator never saw for the classifier that evaluates samples.
     *
     * @throws IllegalArgumentException if the fraction is not in (0, 1) or a side would be empty
     */
    public Split split(double heldOutFraction, long seed) {
        Checks.require(heldOutFraction > 0 && heldOutFraction < 1, OWNER, "heldOutFraction", heldOutFraction,
                "must be in (0, 1)");
        TreeMap<Integer, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byLabel.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        boolean[] held = new boolean[labels.length];
        int heldCount = 0;
        for (List<Integer> members : byLabel.values()) {
            Collections.shuffle(members, rng);
            int take = (int) Math.round(members.size() * heldOutFraction);
            for (int j = 0; j < take; j++) {
                held[members.get(j)] = true;
            }
            heldCount += take;
        }
        Checks.require(heldCount > 0 && heldCount < labels.length, OWNER, "heldOutFraction", heldOutFraction,
                "leaves " + heldCount + " of " + labels.length + " images held out; both sides must be non-empty");
        int[] train = new int[labels.length - heldCount];
        int[] out = new int[heldCount];
        for (int i = 0, t = 0, h = 0; i < labels.length; i++) {
            if (held[i]) {
                out[h++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new Split(subset(train), subset(out));
    }
}
