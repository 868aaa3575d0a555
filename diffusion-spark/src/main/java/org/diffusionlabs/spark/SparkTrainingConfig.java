package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;

/**
 * How the Spark rounds run.
 *
 * @param averagingFrequency    local optimiser steps per partition between two averagings (k)
 * @param aggregationDepth      depth of {@code treeAggregate} (2 suits up to a few hundred partitions)
 * @param averageUpdaterState   ship and average the optimiser state (AdamW moments) with the weights; false starts
 *                              every round with a fresh optimiser
 * @param checkpointEveryRounds checkpoint after every N-th round (counted from step 0); 0 for only at the end
 * @param numPartitions         repartition the data into this many partitions first; 0 keeps its partitioning
 */
public record SparkTrainingConfig(int averagingFrequency, int aggregationDepth, boolean averageUpdaterState,
                                  int checkpointEveryRounds, int numPartitions) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "SparkTrainingConfig";

    public SparkTrainingConfig {
        Checks.positive(averagingFrequency, OWNER, "averagingFrequency");
        Checks.require(aggregationDepth >= 1, OWNER, "aggregationDepth", aggregationDepth, "must be >= 1");
        Checks.require(checkpointEveryRounds >= 0, OWNER, "checkpointEveryRounds", checkpointEveryRounds, "must be >= 0");
        Checks.require(numPartitions >= 0, OWNER, "numPartitions", numPartitions, "must be >= 0 (0 keeps the data's)");
    }

    /** Averaging every 5 local steps, depth 2, optimiser state averaged, checkpoint at the end, data as partitioned. */
    public static SparkTrainingConfig defaults() {
        return new SparkTrainingConfig(5, 2, true, 0, 0);
    }

    public SparkTrainingConfig withAveragingFrequency(int k) {
        return new SparkTrainingConfig(k, aggregationDepth, averageUpdaterState, checkpointEveryRounds, numPartitions);
    }

    public SparkTrainingConfig withCheckpointEveryRounds(int n) {
        return new SparkTrainingConfig(averagingFrequency, aggregationDepth, averageUpdaterState, n, numPartitions);
    }

    public SparkTrainingConfig withAverageUpdaterState(boolean average) {
        return new SparkTrainingConfig(averagingFrequency, aggregationDepth, average, checkpointEveryRounds, numPartitions);
    }

    public SparkTrainingConfig withNumPartitions(int n) {
        return new SparkTrainingConfig(averagingFrequency, aggregationDepth, averageUpdaterState, checkpointEveryRounds, n);
    }
}
