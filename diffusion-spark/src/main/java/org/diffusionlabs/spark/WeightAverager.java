package org.diffusionlabs.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The example-weighted average of partition states, folded by {@code treeAggregate}: {@link #add} takes one
 * {@link PartitionResult} (on the executor), {@link #merge} combines two averagers (checking that they average the
 * same tensors), {@link #average()} gives the state. Non-finite contributions are counted and their reasons kept
 * (the first {@value #MAX_REASONS}), never averaged. Sums run in float64 over float32 values times integer counts:
 * exact for contributions of similar magnitude, so the result does not depend on the merge order, and one
 * contribution averages to itself bit for bit.
 */
public final class WeightAverager implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int MAX_REASONS = 10;
    private WeightSnapshot layout;
    private double[] sum;
    private long examples;
    private int contributions;
    private int rejected;
    private final List<String> reasons = new ArrayList<>();
    /** Per loss term, per local step: the example-weighted sum of the term. */
    private final Map<String, double[]> lossSums = new LinkedHashMap<>();
    private double[] lossWeights = new double[0];

    /** Folds in one partition's result. */
    public WeightAverager add(PartitionResult r) {
        if (r.isRejected()) {
            rejected++;
            reason("partition " + r.partition() + ": " + r.rejection());
            return this;
        }
        WeightSnapshot s = r.snapshot();
        start(s);
        float[] v = s.values();
        double w = r.examples();
        for (int i = 0; i < v.length; i++) {
            sum[i] += v[i] * w;
        }
        examples += r.examples();
        contributions++;
        List<Map<String, Double>> steps = r.stepLosses();
        double perStep = steps.isEmpty() ? 0 : w / steps.size();
        growLossWeights(steps.size());
        for (int j = 0; j < steps.size(); j++) {
            lossWeights[j] += perStep;
            final int step = j;
            steps.get(j).forEach((k, loss) -> lossArray(k)[step] += loss * perStep);
        }
        return this;
    }

    /** Combines another averager into this one. */
    public WeightAverager merge(WeightAverager o) {
        rejected += o.rejected;
        o.reasons.forEach(this::reason);
        if (o.contributions == 0) {
            return this;
        }
        start(o.layout);
        for (int i = 0; i < sum.length; i++) {
            sum[i] += o.sum[i];
        }
        examples += o.examples;
        contributions += o.contributions;
        growLossWeights(o.lossWeights.length);
        for (int j = 0; j < o.lossWeights.length; j++) {
            lossWeights[j] += o.lossWeights[j];
        }
        o.lossSums.forEach((k, a) -> {
            double[] mine = lossArray(k);
            for (int j = 0; j < a.length; j++) {
                mine[j] += a[j];
            }
        });
        return this;
    }

    private void start(WeightSnapshot s) {
        if (layout == null) {
            layout = new WeightSnapshot(s.names(), s.shapes(), new float[s.values().length], s.optimizerSteps(), s.emaUpdates());
            sum = new double[s.values().length];
        } else if (!layout.sameLayout(s)) {
            throw new IllegalStateException("WeightAverager: contributions hold different tensors: "
                    + Arrays.toString(layout.names()) + " vs " + Arrays.toString(s.names()));
        } else if (layout.optimizerSteps() != s.optimizerSteps() || layout.emaUpdates() != s.emaUpdates()) {
            throw new IllegalStateException("WeightAverager: contributions ran different step counts: optimiser "
                    + layout.optimizerSteps() + " vs " + s.optimizerSteps() + ", EMA " + layout.emaUpdates() + " vs "
                    + s.emaUpdates());
        }
    }

    private void reason(String r) {
        if (reasons.size() < MAX_REASONS) {
            reasons.add(r);
        }
    }

    private double[] lossArray(String key) {
        double[] a = lossSums.computeIfAbsent(key, k -> new double[lossWeights.length]);
        if (a.length < lossWeights.length) {
            a = Arrays.copyOf(a, lossWeights.length);
            lossSums.put(key, a);
        }
        return a;
    }

    private void growLossWeights(int n) {
        if (lossWeights.length < n) {
            lossWeights = Arrays.copyOf(lossWeights, n);
            lossSums.replaceAll((k, a) -> Arrays.copyOf(a, n));
        }
    }

    /** The example-weighted mean state. */
    public WeightSnapshot average() {
        if (contributions == 0) {
            throw new IllegalStateException("WeightAverager: no accepted contribution to average (" + rejected + " rejected)");
        }
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / examples);
        }
        return new WeightSnapshot(layout.names(), layout.shapes(), mean, layout.optimizerSteps(), layout.emaUpdates());
    }

    /** Per local step, the example-weighted mean of each loss term over the accepted contributions. */
    public List<Map<String, Double>> stepLosses() {
        List<Map<String, Double>> out = new ArrayList<>();
        for (int j = 0; j < lossWeights.length; j++) {
            Map<String, Double> row = new LinkedHashMap<>();
            final int step = j;
            lossSums.forEach((k, a) -> row.put(k, a[step] / lossWeights[step]));
            out.add(row);
        }
        return out;
    }

    public long examples() {
        return examples;
    }

    public int contributions() {
        return contributions;
    }

    public int rejected() {
        return rejected;
    }

    /** Why contributions were rejected (the first {@value #MAX_REASONS}). */
    public List<String> rejections() {
        return List.copyOf(reasons);
    }
}
