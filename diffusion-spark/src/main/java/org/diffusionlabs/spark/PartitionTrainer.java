package org.diffusionlabs.spark;

import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.NonFiniteLossException;
import org.diffusionlabs.training.Seeds;
import org.diffusionlabs.training.Trainer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One partition's share of a round, run on an executor: rebuild the model from the {@link TrainingSpec}, load the
 * broadcast state, train {@code localSteps} optimiser steps on the partition's rows with the single-machine
 * {@link Trainer} loop, and emit one {@link PartitionResult}. Partition p of the round starting at step s is the
 * single machine's loop as if it were partition p at step s: micro-batches of min(batch, rows) images from a
 * {@link DataCursor} seeded with {@link Seeds#data}(seed, p) that has consumed s·batch·accum images, and step
 * randomness {@link Seeds#step}(seed, s', p). Nothing depends on the task attempt, so a retried task returns the same
 * result. An empty partition contributes nothing; a non-finite loss or state is reported as rejected.
 */
public final class PartitionTrainer implements Function2<Integer, Iterator<ImageRow>, Iterator<PartitionResult>> {
    private static final long serialVersionUID = 1L;
    private final TrainingSpec spec;
    private final Broadcast<WeightSnapshot> start;
    private final long firstStep;
    private final int localSteps;
    private final int imageSize;
    private final boolean withOptimizer;

    /**
     * @param start         the driver's state at {@code firstStep}
     * @param imageSize     images are {@code channels × imageSize × imageSize}
     * @param withOptimizer the broadcast carries the optimiser state and results return it
     */
    public PartitionTrainer(TrainingSpec spec, Broadcast<WeightSnapshot> start, long firstStep, int localSteps,
                            int imageSize, boolean withOptimizer) {
        // one thread set per task (spark.task.cpus): the spec's threads are the single machine's
        this.spec = Checks.notNull(spec, "PartitionTrainer", "spec").withThreads(1);
        this.start = Checks.notNull(start, "PartitionTrainer", "start");
        Checks.require(firstStep >= 0, "PartitionTrainer", "firstStep", firstStep, "must be >= 0");
        this.firstStep = firstStep;
        this.localSteps = Checks.positive(localSteps, "PartitionTrainer", "localSteps");
        this.imageSize = Checks.positive(imageSize, "PartitionTrainer", "imageSize");
        this.withOptimizer = withOptimizer;
    }

    @Override
    public Iterator<PartitionResult> call(Integer partition, Iterator<ImageRow> rows) {
        TaskThreads.apply();
        LabeledImages data = ImageRows.stack(rows, spec.model().unet().inChannels(), imageSize, spec.model());
        if (data == null) {
            return Collections.emptyIterator();
        }
        return List.of(train(partition, start.value(), data)).iterator();
    }

    /** The local steps of {@code partition} on {@code data} from {@code state} (also usable without Spark). */
    PartitionResult train(int partition, WeightSnapshot state, LabeledImages data) {
        // a pooled model is only reused when the optimiser state is restored too (all of its state is then the broadcast's)
        TrainingSpec.Built model = withOptimizer ? ModelPool.take(spec) : spec.build();
        state.restoreInto(model, withOptimizer);
        PartitionResult result = train(partition, model, data);
        if (withOptimizer) {
            ModelPool.give(spec, model);
        }
        return result;
    }

    private PartitionResult train(int partition, TrainingSpec.Built model, LabeledImages data) {
        int batch = Math.min(spec.batch(), data.size());
        long perStep = (long) batch * spec.gradAccum();
        DataCursor cursor = DataCursor.at(Seeds.data(spec.seed(), partition), data.size(), firstStep * perStep);
        Trainer.State loop = new Trainer.State(firstStep, cursor, spec.seed(), partition);
        List<Map<String, Double>> losses = new ArrayList<>();
        try {
            spec.trainer(model, data, batch).run(loop, firstStep + localSteps, Long.MAX_VALUE, 0,
                    (step, terms, lr, seconds) -> losses.add(terms));
        } catch (NonFiniteLossException e) {
            return PartitionResult.rejected(partition, e.getMessage());
        }
        WeightSnapshot end = WeightSnapshot.capture(model, withOptimizer);
        if (!end.isFinite()) {
            return PartitionResult.rejected(partition, "non-finite weights after steps " + (firstStep + 1) + ".."
                    + (firstStep + localSteps));
        }
        return new PartitionResult(partition, end, perStep * localSteps, losses, null);
    }

    /**
     * Built models kept per executor JVM between rounds: building the SameDiff graph and warming its array cache
     * costs seconds per round otherwise. Each running task takes its own; a task that fails drops it. Only the
     * newest spec is kept (a new fit with another spec empties the pool). Results are unchanged: every trained array,
     * the EMA and the optimiser state are overwritten from the broadcast before the first step.
     */
    static final class ModelPool {
        /** The spec as JSON: records holding arrays (the U-Net configuration) do not compare by value. */
        private static String pooled;
        private static final Deque<TrainingSpec.Built> FREE = new ArrayDeque<>();

        private ModelPool() {}

        static TrainingSpec.Built take(TrainingSpec spec) {
            String key = spec.json();
            synchronized (ModelPool.class) {
                if (key.equals(pooled) && !FREE.isEmpty()) {
                    return FREE.pop();
                }
            }
            return spec.build();
        }

        static synchronized void give(TrainingSpec spec, TrainingSpec.Built model) {
            String key = spec.json();
            if (!key.equals(pooled)) {
                pooled = key;
                FREE.clear();
            }
            FREE.push(model);
        }
    }
}
