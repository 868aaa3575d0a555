package org.diffusionlabs.spark;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.diffusionlabs.recipes.ModelSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * {@link DiffusionModel#transform}'s work in a partition: the (row, key) pairs in batches of exactly
 * {@code batchSize} rows (a short last batch padded) through one {@link PartitionSampler} built on first use, each row
 * out with its PNG (and raw image) appended. Conditions (labels or vectors, {@link ConditionColumn}) are checked
 * against the model, naming the row's key.
 */
final class SampleBatches implements Iterator<Row> {
    private static final String OWNER = "DiffusionModel";
    private final Iterator<Tuple2<Row, Long>> in;
    private final Broadcast<WeightSnapshot> weights;
    private final ModelSpec model;
    private final long buildSeed;
    private final SamplingSettings s;
    private final ConditionColumn cond;
    private final int condIdx;
    private final boolean raw;
    private PartitionSampler sampler;
    private final List<Row> ready = new ArrayList<>();
    private int next;

    SampleBatches(Iterator<Tuple2<Row, Long>> in, Broadcast<WeightSnapshot> weights, ModelSpec model, long buildSeed,
                  SamplingSettings s, ConditionColumn cond, int condIdx, boolean raw) {
        this.in = in;
        this.weights = weights;
        this.model = model;
        this.buildSeed = buildSeed;
        this.s = s;
        this.cond = cond;
        this.condIdx = condIdx;
        this.raw = raw;
    }

    @Override
    public boolean hasNext() {
        if (next < ready.size()) {
            return true;
        }
        if (!in.hasNext()) {
            return false;
        }
        fill();
        return next < ready.size();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.get(next++);
    }

    private void fill() {
        ready.clear();
        next = 0;
        List<Row> batch = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        while (in.hasNext() && batch.size() < s.batchSize) {
            Tuple2<Row, Long> t = in.next();
            batch.add(t._1());
            keys.add(t._2());
        }
        int n = batch.size();
        // a short last batch is padded to batchSize (label 0 or a zero vector, key Long.MIN_VALUE; outputs
        // dropped): every forward pass has the same shapes, so the kernels — and the floats of a row — do not
        // depend on how many rows its partition has
        int[] labels = new int[s.batchSize];
        float[][] vectors = new float[s.batchSize][cond.dim()];
        long[] k = new long[s.batchSize];
        Arrays.fill(k, Long.MIN_VALUE);
        for (int i = 0; i < n; i++) {
            Row r = batch.get(i);
            String where = "row with key " + keys.get(i);
            if (cond.labels()) {
                labels[i] = cond.label(r, condIdx, where);
            } else {
                vectors[i] = cond.embedding(r, condIdx, where);
            }
            k[i] = keys.get(i);
        }
        if (sampler == null) {
            sampler = new PartitionSampler(model, buildSeed, weights.value(), s);
        }
        INDArray images = cond.labels() ? sampler.sample(labels, k) : sampler.sample(Nd4j.create(vectors), k);
        int c = sampler.channels();
        int per = c * s.imageSize * s.imageSize;
        float[] all = images.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < n; i++) {
            float[] img = Arrays.copyOfRange(all, i * per, (i + 1) * per);
            Row r = batch.get(i);
            Object[] values = new Object[r.length() + (raw ? 2 : 1)];
            for (int j = 0; j < r.length(); j++) {
                values[j] = r.get(j);
            }
            values[r.length()] = Pngs.png(img, c, s.imageSize, s.imageSize);
            if (raw) {
                Float[] boxed = new Float[per];
                for (int j = 0; j < per; j++) {
                    boxed[j] = img[j];
                }
                values[r.length() + 1] = boxed;
            }
            ready.add(RowFactory.create(values));
        }
    }
}
