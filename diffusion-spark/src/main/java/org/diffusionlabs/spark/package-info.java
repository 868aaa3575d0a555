/**
 * Data-parallel training on Apache Spark by parameter averaging. Each round the driver broadcasts its weights, EMA
 * and optimiser state as a {@link org.diffusionlabs.spark.WeightSnapshot} (flat {@code float[]}, never an INDArray);
 * every partition rebuilds the model from its {@link org.diffusionlabs.recipes.TrainingSpec}, trains a few local steps
 * on its rows ({@link org.diffusionlabs.spark.PartitionTrainer}) and returns a
 * {@link org.diffusionlabs.spark.PartitionResult}; {@code treeAggregate} folds them into an example-weighted
 * {@link org.diffusionlabs.spark.WeightAverager}, rejecting non-finite contributions; the broadcast is destroyed.
 * {@link org.diffusionlabs.spark.DiffusionTrainer} is the entry point, a Spark ML Estimator (fit a DataFrame, get a
 * {@link org.diffusionlabs.spark.DiffusionModel}, the Model and Transformer of batch sampling);
 * {@link org.diffusionlabs.spark.SparkTrainer} is the round loop. The DataFrame transforms are Spark ML Transformers
 * on {@link org.diffusionlabs.spark.RowTransformer}; every stage persists in Spark ML's layout
 * ({@link org.diffusionlabs.spark.StageMetadata}), so they go into a saved {@code PipelineModel}.
 */
package org.diffusionlabs.spark;
