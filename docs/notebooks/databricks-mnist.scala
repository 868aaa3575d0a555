// Databricks notebook source
// MAGIC %md
// MAGIC # Diffusion Labs on Spark: MNIST on Databricks
// MAGIC
// MAGIC Decode and normalise images and train a class-conditional diffusion model by parameter averaging, as one
// MAGIC Spark ML `Pipeline`; save it, and sample one image per row of a DataFrame of labels.
// MAGIC
// MAGIC **Cluster setup.** Attach the `diffusion-spark` jar with its dependencies (`diffusion-core`, ND4J
// MAGIC `nd4j-native-platform` 1.0.0-M2.1) as cluster libraries, and set in the cluster's Spark config
// MAGIC (see `docs/spark.md`, "Executor settings"):
// MAGIC
// MAGIC ```
// MAGIC spark.task.cpus 2
// MAGIC spark.executorEnv.OMP_NUM_THREADS 2
// MAGIC spark.executorEnv.OMP_WAIT_POLICY PASSIVE
// MAGIC spark.driver.extraJavaOptions --add-modules=jdk.incubator.vector
// MAGIC spark.executor.extraJavaOptions --add-modules=jdk.incubator.vector
// MAGIC ```
// MAGIC
// MAGIC (The last two give the engine's CPU kernels Java 17's Vector API; without them the same maths runs from ND4J
// MAGIC ops, more slowly. Append them to any Java options the cluster already sets.)
// MAGIC
// MAGIC The input is a Parquet table of MNIST with an encoded PNG `image` column (binary) and an int `label`;
// MAGIC `spark.read.format("image")` output (Spark's image struct) works the same way.

// COMMAND ----------

import org.apache.spark.sql.functions._
import org.diffusionlabs.models.adm.AdmUNetConfig
import org.diffusionlabs.predictors.PredictionType
import org.diffusionlabs.recipes.{ModelSpec, OptimizerSpec, TrainingSpec}
import org.diffusionlabs.schedules.BetaScheduleKind
import org.diffusionlabs.spark._
import org.diffusionlabs.training.{LearningRateSchedule, TrainingGraph}

val root = "dbfs:/tmp/diffusion-labs"
val raw = spark.read.parquet(s"$root/mnist.parquet")          // image: binary (PNG), label: int

// COMMAND ----------

// MAGIC %md
// MAGIC ## A Spark ML pipeline: decode → normalise → train (parameter averaging)
// MAGIC The stages are Spark ML stages: schema problems fail in `fit`, naming the column, before any Spark job
// MAGIC runs, and `handleInvalid = skip` drops undecodable images and counts them. `explainParams()` lists every param.

// COMMAND ----------

import org.apache.spark.ml.{Pipeline, PipelineModel, PipelineStage}

val unet = AdmUNetConfig.admUnet(128, 128, 128, "digit", true, 1, 32, 2, 1)
val modelSpec = new ModelSpec(unet, BetaScheduleKind.COSINE, 1000, PredictionType.V, TrainingGraph.Loss.HYBRID,
  0.001, /* guidance p */ 0.1, /* guidance scale */ 2.0, /* classes */ 10)
val spec = new TrainingSpec(modelSpec, OptimizerSpec.adamW(), LearningRateSchedule.constant(2e-3),
  new TrainingSpec.EmaSpec(0.995, true), /* batch */ 64, /* grad accum */ 1, /* seed */ 0L)

val decode = new DecodeImages().setInputCol("image").setOutputCol("pixels").setSize(28).setHandleInvalid("skip")
val normalize = new NormalizeImages().setInputCol("pixels").setOutputCol("x").setLength(28 * 28)
val trainer = new DiffusionTrainer(spec)
  .setImageCol("x")
  .setImageSize(28)
  .setMaxSteps(550)
  .setAveragingFrequency(5)
println(trainer.explainParams())

val pipeline = new Pipeline().setStages(Array[PipelineStage](decode, normalize, trainer))
val fitted = pipeline.fit(raw)
println(s"${fitted.stages(0).asInstanceOf[DecodeImages].invalidRows()} images skipped")
fitted.write.overwrite().save(s"$root/pipeline")              // Spark ML layout; PipelineModel.load reads it
val model = fitted.stages(2).asInstanceOf[DiffusionModel]
model.write.overwrite().save(s"$root/model")                  // metadata/ + checkpoints/step-N/

// COMMAND ----------

// MAGIC %md
// MAGIC ## Sample: one image per row
// MAGIC Each row's noise is seeded by (seed, `id`), so an image does not depend on the partitioning and a
// MAGIC re-executed task returns the same bytes (keep `batchSize` fixed to reproduce images bit for bit).

// COMMAND ----------

val loaded = DiffusionModel.load(s"$root/model")
val conditions = spark.range(0, 100).select(col("id"), (col("id") % 10).cast("int").as("label")).repartition(4)
val images = loaded.setKeyCol("id").setSampler("ddim").setSteps(50).setEta(0.0).setGuidance(2.0).setSeed(7)
  .setBatchSize(25).transform(conditions)                      // + image_png (binary)
images.write.mode("overwrite").parquet(s"$root/samples.parquet")

// COMMAND ----------

// A few rows, the PNG bytes as base64 (paste into a data: URL, or read the Parquet file with any PNG viewer)
display(spark.read.parquet(s"$root/samples.parquet").orderBy("id").limit(20)
  .select(col("label"), base64(col("image_png")).as("png_base64")))

// COMMAND ----------

// MAGIC %md
// MAGIC The same from the command line (the run directory of `bin/diffusion train`):
// MAGIC ```
// MAGIC bin/diffusion sample --master local[4] --checkpoint runs/mnist --conditions conds.parquet --out out.parquet \
// MAGIC     --key-col id --sampler ddim --steps 50 --batch 25
// MAGIC ```

// COMMAND ----------

// MAGIC %md
// MAGIC ## Conditioning on vectors (e.g. CLIP image or text embeddings)
// MAGIC A spec with `classes = 0` has no label embedding: the U-Net takes a vector of `embedDim` values per image
// MAGIC from `embeddingCol`. `EmbeddingConditioning` checks the width and finiteness of a vector or array column and
// MAGIC can scale it to unit norm. Here the vectors are a label model's trained label embeddings (`embedDim` 128),
// MAGIC so the example runs on MNIST alone; any table with an embedding column works the same way.

// COMMAND ----------

val table = LabelConditioning.fromModel(loaded).setInputCol("label").setOutputCol("clip")   // label -> its 128-d row
val vectorSpec = new TrainingSpec(new ModelSpec(unet, BetaScheduleKind.COSINE, 1000, PredictionType.V,
  TrainingGraph.Loss.HYBRID, 0.001, 0.1, 2.0, /* classes: conditioned on vectors */ 0),
  OptimizerSpec.adamW(), LearningRateSchedule.constant(2e-3), new TrainingSpec.EmaSpec(0.995, true), 64, 1, 0L)
val vectorPipeline = new Pipeline().setStages(Array[PipelineStage](decode, normalize, table,
  new EmbeddingConditioning(128).setInputCol("clip").setOutputCol("embedding").setNormalize(true),
  new DiffusionTrainer(vectorSpec).setImageCol("x").setImageSize(28).setMaxSteps(550).setAveragingFrequency(5)))
val vectorModel = vectorPipeline.fit(raw)
// sampling reads the same column: the (id, label) conditions become unit vectors the same way
val vectorConditions = table.transform(conditions)
val vectors = new EmbeddingConditioning(128).setInputCol("clip").setOutputCol("embedding").setNormalize(true)
  .transform(vectorConditions)
val sampled = vectorModel.stages(4).asInstanceOf[DiffusionModel].setKeyCol("id").setBatchSize(25).transform(vectors)
vectorModel.stages(4).asInstanceOf[DiffusionModel].write.overwrite().save(s"$root/vector-model")
// the same from spark-submit / the command line: sample --master M --model $root/vector-model --conditions c.parquet
//   --out out.parquet --key-col id --embedding-col embedding
