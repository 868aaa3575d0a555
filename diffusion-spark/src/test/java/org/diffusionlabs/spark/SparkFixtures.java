package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.OptimizerSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A tiny model (one 32-channel level, 8×8 grey images) and in-memory rows in chosen partitions; the session itself
 * comes from {@link LocalSpark}.
 */
final class SparkFixtures {
    static final int SIZE = 8;
    static final StructType SCHEMA = new StructType()
            .add("image", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false);

    private SparkFixtures() {}

    static ModelSpec model(double dropout, double guidanceP) {
        return model(dropout, guidanceP, 10);
    }

    /** The same model conditioned on given vectors of 8 values instead of 10 labels. */
    static ModelSpec vectorModel(double dropout, double guidanceP) {
        return model(dropout, guidanceP, 0);
    }

    private static ModelSpec model(double dropout, double guidanceP, int classes) {
        AdmUNetConfig unet = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 0, 1).withDropout(dropout);
        return new ModelSpec(unet, BetaScheduleKind.LINEAR, 100, PredictionType.NOISE, TrainingGraph.Loss.HYBRID, 0.001,
                guidanceP, 2.0, classes);
    }

    /** AdamW with clipping, a warm-up + cosine learning rate, EMA with warm-up, dropout and guidance training. */
    static TrainingSpec adamW(int batch, int accum, long totalSteps) {
        return new TrainingSpec(model(0.1, 0.3), new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 0.9, 0.999, 1e-8, 0.01, 1.0),
                new LearningRateSchedule(1e-3, 2, LearningRateSchedule.Decay.COSINE, totalSteps, 0.1),
                new TrainingSpec.EmaSpec(0.9, true), batch, accum, 7);
    }

    /** Plain SGD at a constant rate, no EMA, no dropout: averaging is linear. */
    static TrainingSpec sgd(int batch) {
        return new TrainingSpec(model(0.0, 0.3), OptimizerSpec.sgd(), LearningRateSchedule.constant(0.05), null, batch, 1, 7);
    }

    /** {@code n} random images in [−1, 1] with labels (first + i) mod 10; {@code nan} fills them with NaN. */
    static List<ImageRow> rows(int n, long seed, int first, boolean nan) {
        Rng r = new Rng(seed);
        List<ImageRow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = r.uniformFloats(SIZE * SIZE);
            for (int j = 0; j < px.length; j++) {
                px[j] = nan ? Float.NaN : px[j] * 2 - 1;
            }
            out.add(new ImageRow(px, (first + i) % 10));
        }
        return out;
    }

    static LabeledImages images(List<ImageRow> rows) {
        return ImageRows.stack(rows.iterator(), 1, SIZE, model(0, 0));
    }

    /** A DataFrame whose partition i holds exactly {@code partitions.get(i)}, in order. */
    static Dataset<Row> frame(SparkSession spark, List<List<ImageRow>> partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> all = null;
        for (List<ImageRow> p : partitions) {
            List<Row> rows = new ArrayList<>();
            for (ImageRow r : p) {
                Float[] boxed = new Float[r.pixels().length];
                for (int i = 0; i < boxed.length; i++) {
                    boxed[i] = r.pixels()[i];
                }
                rows.add(RowFactory.create(boxed, r.label()));
            }
            JavaRDD<Row> rdd = jsc.parallelize(rows, 1);
            all = all == null ? rdd : all.union(rdd);
        }
        return spark.createDataFrame(all, SCHEMA);
    }

    static void assertBitEqual(Map<String, INDArray> want, Map<String, INDArray> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        want.forEach((k, v) -> assertArrayEquals(v.dup('c').data().asFloat(), got.get(k).dup('c').data().asFloat(),
                what + " " + k));
    }

    static double maxAbsDiff(Map<String, INDArray> a, Map<String, INDArray> b) {
        assertEquals(a.keySet(), b.keySet());
        double max = 0;
        for (String k : a.keySet()) {
            max = Math.max(max, a.get(k).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .sub(b.get(k).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).amaxNumber().doubleValue());
        }
        return max;
    }
}
