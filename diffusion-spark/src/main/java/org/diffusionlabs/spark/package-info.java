/**
 * Data-parallel training on Apache Spark by parameter averaging. Each round the driver broadcasts its weights, EMA
 * and optimiser state as a {@link org.diffusionlabs.spark.WeightSnapshot} (flat {@code float[]}, never an INDArray);
 * every partition rebuilds the model from its {@link org.diffusionlabs.recipes.TrainingSpec}, trains a few local steps
 * on its rows ({@link org.diffusionlabs.spark.PartitionTrainer}) and returns a
 * {@link org.diffusionlabs.spark.PartitionResult}; {@code treeAggregate} folds them into an example-weighted
 * {@link org.diffusionlabs.spark.WeightAverager}, rejecting non-finite contributions; the broadcast is destroyed.
 * {@link org.diffusionlabs.spark.DiffusionTrainer} is the Estimator-style entry point (fit a DataFrame, get a
 * {@link org.diffusionlabs.spark.DiffusionModel}); {@link org.diffusionlabs.spark.SparkTrainer} is the round loop.
 */
package org.diffusionlabs.spark;
