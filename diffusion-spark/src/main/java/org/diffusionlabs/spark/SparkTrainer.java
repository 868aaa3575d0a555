package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The driver loop of parameter averaging. The driver owns the model; each round it
 * <ol>
 *   <li>captures its state as a {@link WeightSnapshot} (weights, EMA, optionally optimiser state) and broadcasts it,</li>
 *   <li>runs {@link PartitionTrainer} on every partition ({@code k} local steps, or fewer in the last round),</li>
 *   <li>folds the {@link PartitionResult}s with {@code treeAggregate} into a {@link WeightAverager} (example-weighted,
 *       non-finite contributions rejected, counted and logged),</li>
 *   <li>destroys the broadcast, loads the average into its model, and reports each step's averaged losses, the round,
 *       and — every {@code checkpointEveryRounds} rounds — that a checkpoint is due.</li>
 * </ol>
 * The Spark job of round r is described as "diffusion round r/R" in the UI. A round whose contributions are all
 * rejected stops training with an {@link IllegalStateException} (the seeds are deterministic: retrying cannot help).
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);
    private final TrainingSpec spec;
    private final SparkTrainingConfig config;
    private final int imageSize;

    /** Progress callbacks on the driver: the trainer's per-step and checkpoint callbacks plus one per round. */
    public interface Listener extends Trainer.Listener {
        /** After each round, once the average is loaded (before {@link #onCheckpoint}). */
        default void onRound(Round round) {
        }

        /**
         * Once, before the first round: the driver's model (built from the spec and restored from a checkpoint when
         * resuming) and the step it starts from. The model is updated in place after every round (e.g. to sample from
         * its EMA weights in {@link #onRound}).
         */
        default void onStart(TrainingSpec.Built model, long step) {
        }

        /** Asked after every round (after {@link #onCheckpoint}): true ends training there (e.g. a time limit). */
        default boolean stopRequested() {
            return false;
        }
    }

    /**
     * One finished round.
     *
     * @param round         1-based round number (round r ends at step min(r·k, maxSteps))
     * @param rounds        rounds of the whole run
     * @param step          optimiser steps done after it
     * @param contributions partitions averaged
     * @param rejected      partitions rejected (non-finite)
     * @param rejections    why (the first few)
     * @param examples      images trained on, over all partitions
     * @param seconds       wall time of the round
     */
    public record Round(long round, long rounds, long step, int contributions, int rejected, List<String> rejections,
                       long examples, double seconds) {}

    public SparkTrainer(TrainingSpec spec, SparkTrainingConfig config, int imageSize) {
        this.spec = Checks.notNull(spec, "SparkTrainer", "spec");
        this.config = Checks.notNull(config, "SparkTrainer", "config");
        this.imageSize = Checks.positive(imageSize, "SparkTrainer", "imageSize");
    }

    /**
     * Trains {@code model} (built from the spec, at optimiser step {@code fromStep}) on {@code rows} until
     * {@code maxSteps}; returns the step reached. Steps are counted over the whole run, so a resumed run continues
     * with the seeds and data positions an uninterrupted one would have used.
     */
    public long run(JavaRDD<ImageRow> rows, TrainingSpec.Built model, long fromStep, long maxSteps, Listener listener) {
        Checks.require(fromStep >= 0, "SparkTrainer", "fromStep", fromStep, "must be >= 0");
        Checks.notNull(listener, "SparkTrainer", "listener");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.context());
        int k = config.averagingFrequency();
        long rounds = (maxSteps + k - 1) / k;
        long step = fromStep;
        while (step < maxSteps) {
            long t0 = System.nanoTime();
            int local = (int) Math.min(k - step % k, maxSteps - step);
            long round = step / k + 1;
            WeightAverager avg = round(jsc, rows, model, step, local, round, rounds);
            Round summary = new Round(round, rounds, step + local, avg.contributions(), avg.rejected(), avg.rejections(),
                    avg.examples(), (System.nanoTime() - t0) / 1e9);
            if (avg.rejected() > 0) {
                LOG.warn("diffusion round {}/{}: rejected {} non-finite contribution(s) of {}: {}", round, rounds,
                        avg.rejected(), avg.rejected() + avg.contributions(), avg.rejections());
            }
            if (avg.contributions() == 0) {
                throw new IllegalStateException("diffusion round " + round + "/" + rounds + " (steps " + (step + 1) + ".."
                        + (step + local) + "): no partition contributed (" + avg.rejected() + " rejected"
                        + (avg.rejected() > 0 ? ": " + avg.rejections() : ", all partitions empty") + ")");
            }
            avg.average().restoreInto(model, config.averageUpdaterState());
            List<Map<String, Double>> losses = avg.stepLosses();
            for (int j = 0; j < local; j++) {
                listener.onStep(step + j + 1, losses.get(j), spec.lr().rate(step + j), summary.seconds() / local);
            }
            step += local;
            listener.onRound(summary);
            if (config.checkpointEveryRounds() > 0 && step % k == 0 && (step / k) % config.checkpointEveryRounds() == 0) {
                listener.onCheckpoint(step);
            }
            if (listener.stopRequested()) {
                break;
            }
        }
        return step;
    }

    /** One broadcast → mapPartitions → treeAggregate → destroy cycle. */
    private WeightAverager round(JavaSparkContext jsc, JavaRDD<ImageRow> rows, TrainingSpec.Built model, long step,
                                 int local, long round, long rounds) {
        boolean withOptimizer = config.averageUpdaterState();
        Broadcast<WeightSnapshot> state = jsc.broadcast(WeightSnapshot.capture(model, withOptimizer));
        jsc.setJobDescription("diffusion round " + round + "/" + rounds);
        try {
            PartitionTrainer worker = new PartitionTrainer(spec, state, step, local, imageSize, withOptimizer);
            return rows.mapPartitionsWithIndex(worker, false)
                    .treeAggregate(new WeightAverager(), WeightAverager::add, WeightAverager::merge,
                            config.aggregationDepth());
        } finally {
            jsc.setJobDescription(null);
            state.destroy();
        }
    }
}
