package org.diffusionlabs.spark;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Seeds;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.diffusionlabs.training.TrainingFeed;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.diffusionlabs.spark.SparkFixtures.assertBitEqual;
import static org.diffusionlabs.spark.SparkFixtures.frame;
import static org.diffusionlabs.spark.SparkFixtures.images;
import static org.diffusionlabs.spark.SparkFixtures.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter averaging on a local Spark session (Kryo serializer; one partition replaying the single-machine trainer
 * bit for bit is {@link OnePartitionParityTest}): averaging plain SGD over partitions equals one step on the union batch; uneven and empty partitions
 * are example-weighted; non-finite partitions are rejected; checkpoint + resume continues bit for bit.
 */
class SparkTrainerTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);

    @TempDir
    Path dir;

    private static Trainer.Listener quiet() {
        return Trainer.Listener.NONE;
    }

    /** Collects the step rows and rounds the trainer reports. */
    static final class Recorder implements SparkTrainer.Listener {
        final List<Long> steps = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        final List<SparkTrainer.Round> rounds = new ArrayList<>();

        @Override
        public void onStep(long s, Map<String, Double> l, double lr, double seconds) {
            steps.add(s);
            losses.add(l.get(TrainingGraph.LOSS));
        }

        @Override
        public void onCheckpoint(long s) {
        }

        @Override
        public void onRound(SparkTrainer.Round round) {
            rounds.add(round);
        }
    }

    @Test
    void averagingSgdOverTwoPartitionsEqualsOneMachineWithTwiceTheBatch() {
        TrainingSpec spec = SparkFixtures.sgd(3);
        List<List<ImageRow>> parts = List.of(rows(6, 1, 0, false), rows(6, 2, 3, false));
        int steps = 3;
        TrainingSpec.Built ref = spec.build();
        for (int s = 0; s < steps; s++) {
            List<Map<String, INDArray>> feeds = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                LabeledImages d = images(parts.get(p));
                DataCursor c = DataCursor.at(Seeds.data(spec.seed(), p), d.size(), (long) s * 3);
                LabeledImages batch = d.subset(c.next(3).indices());
                feeds.add(ref.step().feed(batch.images(), Conditioning.of(TrainingFeed.LABELS,
                        Nd4j.createFromArray(batch.labels())), new Rng(Seeds.step(spec.seed(), s, p))));
            }
            Map<String, INDArray> both = new LinkedHashMap<>();
            feeds.get(0).keySet().forEach(k -> both.put(k, Nd4j.concat(0, feeds.get(0).get(k), feeds.get(1).get(k))));
            TrainingGraph.Step g = ref.step().graph().lossAndGradients(both);
            ref.step().optimizer().step(ref.step().graph().trainables(), g.gradients(), spec.lr().rate(s));
        }

        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(steps)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(1)).fit(frame(SPARK.session(), parts));

        double diff = SparkFixtures.maxAbsDiff(ref.step().graph().trainables(), m.weights());
        assertTrue(diff < 1e-6, "max |averaged - big batch| = " + diff);
        assertTrue(SparkFixtures.maxAbsDiff(spec.build().step().graph().trainables(), m.weights()) > 1e-4, "it trained");
    }

    @Test
    void unevenAndEmptyPartitionsAreWeightedByTheirExamples() {
        TrainingSpec spec = SparkFixtures.adamW(4, 1, 10);
        List<ImageRow> seven = rows(7, 1, 0, false);
        List<ImageRow> two = rows(2, 2, 5, false);
        Recorder rec = new Recorder();
        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(2)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(2)).setListener(rec)
                .fit(frame(SPARK.session(), List.of(seven, List.of(), two)));

        TrainingSpec.Built start = spec.build();
        WeightSnapshot initial = WeightSnapshot.capture(start, true);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SPARK.session().sparkContext());
        PartitionTrainer worker = new PartitionTrainer(spec, jsc.broadcast(initial), 0, 2, SIZE, true);
        // the tasks ran with local[2]'s per-task thread settings (TaskThreads): replay them with the same, as the
        // native convolutions' sums depend on the thread count
        int omp = org.diffusionlabs.nd.NativeThreads.ompThreadsOfCurrentThread();
        int blas = org.diffusionlabs.nd.NativeThreads.blasThreads();
        org.diffusionlabs.nd.NativeThreads.setOmpThreadsOfCurrentThread(1);
        org.diffusionlabs.nd.NativeThreads.setBlasThreads(1);
        PartitionResult a;
        PartitionResult b;
        try {
            a = worker.train(0, initial, images(seven));
            b = worker.train(2, initial, images(two));
        } finally {
            org.diffusionlabs.nd.NativeThreads.setOmpThreadsOfCurrentThread(omp);
            org.diffusionlabs.nd.NativeThreads.setBlasThreads(blas);
        }
        assertEquals(8, a.examples(), "2 steps of batch 4");
        assertEquals(4, b.examples(), "2 steps of its 2 images");
        Map<String, INDArray> wa = a.snapshot().tensors(WeightSnapshot.PARAM);
        Map<String, INDArray> wb = b.snapshot().tensors(WeightSnapshot.PARAM);
        Map<String, INDArray> expected = new LinkedHashMap<>();
        wa.forEach((k, v) -> expected.put(k, v.castTo(DataType.DOUBLE).mul(8).add(wb.get(k).castTo(DataType.DOUBLE).mul(4))
                .div(12).castTo(DataType.FLOAT)));
        assertBitEqual(expected, m.weights(), "(8 a + 4 b) / 12");
        SparkTrainer.Round round = rec.rounds.get(0);
        assertEquals(2, round.contributions(), "the empty partition contributes nothing");
        assertEquals(12, round.examples());
    }

    @Tag("fault")
    @Test
    void aNonFinitePartitionIsRejectedCountedAndTrainingGoesOnWithTheOthers() {
        TrainingSpec spec = SparkFixtures.adamW(4, 1, 4);
        List<ImageRow> clean = rows(6, 1, 0, false);
        Recorder rec = new Recorder();
        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(4)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(2)).setListener(rec)
                .fit(frame(SPARK.session(), List.of(clean, rows(5, 2, 0, true))));
        assertEquals(2, m.rejectedContributions(), "partition 1 in both rounds");
        assertTrue(rec.rounds.get(0).rejections().get(0).contains("partition 1: non-finite training loss"),
                rec.rounds.get(0).rejections().toString());

        DiffusionModel alone = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(4)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(2)).fit(frame(SPARK.session(), List.of(clean)));
        assertBitEqual(alone.weights(), m.weights(), "the clean partition alone");
        FaultFigures.record("nan-partition", "NaN partition (Spark: one of 2 partitions all NaN pixels, 2 rounds)",
                "SparkTrainerTest.aNonFinitePartitionIsRejectedCountedAndTrainingGoesOnWithTheOthers",
                String.format("2 contributions injected (1 partition x 2 rounds), %d counted as rejected; the weights "
                        + "equal the clean partition trained alone, bit for bit", m.rejectedContributions()));
    }

    @Test
    void aRoundWithoutAnyFiniteContributionStopsTraining() {
        TrainingSpec spec = SparkFixtures.adamW(4, 1, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new DiffusionTrainer(spec)
                .setImageSize(SIZE).setMaxSteps(2).fit(frame(SPARK.session(), List.of(rows(4, 2, 0, true)))));
        assertTrue(e.getMessage().contains("diffusion round 1/1") && e.getMessage().contains("no partition contributed"),
                e.getMessage());
    }

    @Test
    void checkpointsEveryNRoundsAndResumeContinueBitForBit() throws IOException {
        TrainingSpec spec = SparkFixtures.adamW(3, 1, 6);
        List<List<ImageRow>> parts = List.of(rows(5, 1, 0, false), rows(4, 2, 5, false));
        SparkTrainingConfig config = SparkTrainingConfig.defaults().withAveragingFrequency(2).withCheckpointEveryRounds(1);
        DiffusionModel straight = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(6).setConfig(config)
                .fit(frame(SPARK.session(), parts));

        CheckpointStore store = new CheckpointStore(new LocalStorage(dir), 5);
        new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(2).setConfig(config).setCheckpoints(store, true)
                .fit(frame(SPARK.session(), parts));
        assertEquals(List.of(2L), store.steps());
        DiffusionModel resumed = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(6).setConfig(config)
                .setCheckpoints(store, true).fit(frame(SPARK.session(), parts));
        assertEquals(List.of(2L, 4L, 6L), store.steps(), "one checkpoint per round");
        assertBitEqual(straight.weights(), resumed.weights(), "weights");
        assertBitEqual(straight.emaWeights(), resumed.emaWeights(), "EMA");

        TrainingSpec.Built loaded = spec.build();
        Trainer.State state = TrainingCheckpoint.restore(store.load(6), loaded.step(), loaded.ema());
        assertEquals(6, state.step);
        assertBitEqual(straight.weights(), loaded.step().graph().trainables(), "the single-machine format");
    }

    @Test
    void badRowsNameTheProblem() {
        TrainingSpec spec = SparkFixtures.adamW(4, 1, 4);
        List<ImageRow> wrong = List.of(new ImageRow(new float[SIZE * SIZE - 1], 1));
        Exception e = assertThrows(Exception.class, () -> new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(1)
                .fit(frame(SPARK.session(), List.of(wrong))));
        Throwable cause = e;
        while (!(cause instanceof IllegalArgumentException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String msg = cause.getMessage() + " / " + e.getMessage();
        assertTrue(e instanceof SparkException || e instanceof IllegalArgumentException, e.toString());
        assertTrue(msg.contains("expected channels·size·size"), msg);
    }
}
