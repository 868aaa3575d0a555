package org.diffusionlabs.spark;

import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.diffusionlabs.spark.SparkFixtures.assertBitEqual;
import static org.diffusionlabs.spark.SparkFixtures.frame;
import static org.diffusionlabs.spark.SparkFixtures.images;
import static org.diffusionlabs.spark.SparkFixtures.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One partition on {@code local[1]} replays the single-machine trainer bit for bit (weights, EMA, losses). On
 * {@code local[1]} a task keeps the JVM's native thread settings ({@link TaskThreads}), as the single machine runs;
 * with more executor cores a task gets its own OpenMP/OpenBLAS thread counts, and the bits may round differently.
 */
class OnePartitionParityTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(1);

    @Test
    void onePartitionEqualsTheSingleMachineTrainerBitForBit() {
        TrainingSpec spec = SparkFixtures.adamW(4, 2, 5);
        List<ImageRow> data = rows(10, 1, 0, false);
        TrainingSpec.Built single = spec.build();
        List<Double> singleLosses = new ArrayList<>();
        spec.trainer(single, images(data), 4).run(Trainer.State.start(spec.seed(), data.size()), 5, Long.MAX_VALUE, 0,
                (s, losses, lr, seconds) -> singleLosses.add(losses.get(TrainingGraph.LOSS)));

        SparkTrainerTest.Recorder rec = new SparkTrainerTest.Recorder();
        DiffusionModel m = new DiffusionTrainer(spec).setImageSize(SIZE).setMaxSteps(5)
                .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(2)).setListener(rec)
                .fit(frame(SPARK.session(), List.of(data)));

        assertEquals(5, m.step());
        assertBitEqual(single.step().graph().trainables(), m.weights(), "weights");
        assertBitEqual(single.ema().weights(), m.emaWeights(), "EMA");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rec.steps);
        assertEquals(3, rec.rounds.size(), "rounds of 2, 2 and 1 steps");
        for (int i = 0; i < 5; i++) {
            assertEquals(singleLosses.get(i), rec.losses.get(i), 1e-12 * Math.abs(singleLosses.get(i)), "loss of step " + (i + 1));
        }
    }
}
