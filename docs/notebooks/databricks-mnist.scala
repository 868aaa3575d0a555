// Databricks notebook source
// MAGIC %md
// MAGIC # Diffusion Labs on Spark: MNIST on Databricks
// MAGIC
// MAGIC Writes its own input table (the MNIST digits embedded in the library), then decodes and normalises the images
// MAGIC and trains a class-conditional diffusion model by parameter averaging, as one Spark ML `Pipeline`; saves it,
// MAGIC samples one image per row of a DataFrame of labels and shows the samples as images. Everything it writes goes
// MAGIC to one Unity Catalog volume (the `volume` widget). Run the cells top to bottom.
// MAGIC
// MAGIC **Compute.** Classic compute in **dedicated access mode** (formerly "single user"), on a Databricks Runtime
// MAGIC with Spark 3.5, Scala 2.12 and JDK 17. Standard (shared) access mode and serverless do not work: training
// MAGIC uses RDD operations (`mapPartitions`, broadcasts, `treeAggregate`), needs the JVM flags below in the Spark
// MAGIC config, and ND4J loads native libraries (OpenMP, oneDNN) from the jar on every node.
// MAGIC
// MAGIC **Library.** Attach one JAR as a compute-scoped library: the assembly jar
// MAGIC `diffusion-jobs-<version>-spark.jar`, built by
// MAGIC `mvn -B -Passembly -pl diffusion-core,diffusion-spark,jobs -am package -DskipTests` (in `jobs/target/`; it
// MAGIC holds the library, ND4J and its Linux x86-64 natives; Spark, Hadoop and Scala come from the runtime). Upload it
// MAGIC to a volume (e.g. `/Volumes/main/default/libs/`) and install it from there.
// MAGIC
// MAGIC **Spark config** of the compute (see `docs/spark.md`, "Executor settings"; append the Java options to any the
// MAGIC compute already sets, and size `maxphysicalbytes` below the node's memory):
// MAGIC
// MAGIC ```
// MAGIC spark.task.cpus 2
// MAGIC spark.executorEnv.OMP_NUM_THREADS 2
// MAGIC spark.executorEnv.OMP_WAIT_POLICY PASSIVE
// MAGIC spark.driver.extraJavaOptions --add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxphysicalbytes=12G
// MAGIC spark.executor.extraJavaOptions --add-modules=jdk.incubator.vector -Dorg.bytedeco.javacpp.maxphysicalbytes=12G
// MAGIC ```
// MAGIC
// MAGIC (`--add-modules` gives the engine's CPU kernels Java 17's Vector API; without it the same maths runs from
// MAGIC ND4J ops, more slowly.)
// MAGIC
// MAGIC **Output.** A Unity Catalog volume you can write to, created once, e.g.
// MAGIC `CREATE VOLUME IF NOT EXISTS main.default.diffusion_labs`. The notebook writes under `<volume>/diffusion-labs/`:
// MAGIC `mnist.parquet` (the input table), `pipeline/`, `model/`, `samples.parquet` and `vector-model/`, replacing what
// MAGIC an earlier run of this notebook wrote there.

// COMMAND ----------

// Parameters: widgets at the top of the notebook (the CI run of this notebook sets small values through them).
dbutils.widgets.text("volume", "/Volumes/main/default/diffusion_labs", "Unity Catalog volume")
dbutils.widgets.text("digits", "10000", "Training digits (of the 10,000 embedded)")
dbutils.widgets.text("partitions", "4", "Training partitions")
dbutils.widgets.text("batch", "64", "Batch per partition")
dbutils.widgets.text("maxSteps", "550", "Optimiser steps")
dbutils.widgets.text("samples", "100", "Images to sample")
dbutils.widgets.text("samplingSteps", "50", "DDIM steps")

val root = dbutils.widgets.get("volume").stripSuffix("/") + "/diffusion-labs"
val digits = dbutils.widgets.get("digits").toInt
val partitions = dbutils.widgets.get("partitions").toInt
val batch = dbutils.widgets.get("batch").toInt
val maxSteps = dbutils.widgets.get("maxSteps").toLong
val samples = dbutils.widgets.get("samples").toLong
val samplingSteps = dbutils.widgets.get("samplingSteps").toInt

// COMMAND ----------

// MAGIC %md
// MAGIC ## The input table
// MAGIC The embedded digits as a table of encoded images: `id` bigint, `image` binary (a 28×28 grey PNG), `label` int.
// MAGIC Your own table of PNG/JPEG bytes (or `spark.read.format("image")` output, Spark's image struct) goes through
// MAGIC the same pipeline.

// COMMAND ----------

import org.diffusionlabs.spark.EmbeddedDigits

dbutils.fs.mkdirs(root)
EmbeddedDigits.frame(spark, digits).repartition(partitions).write.mode("overwrite").parquet(s"$root/mnist.parquet")
val raw = spark.read.parquet(s"$root/mnist.parquet")
display(raw.groupBy("label").count().orderBy("label"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## A Spark ML pipeline: decode → normalise → train (parameter averaging)
// MAGIC The stages are Spark ML stages: schema problems fail in `fit`, naming the column, before any Spark job
// MAGIC runs, and `handleInvalid = skip` drops undecodable images and counts them. `explainParams()` lists every param.
// MAGIC Training prints nothing per step or per graph op under the cell; progress is in the Spark UI (jobs named
// MAGIC `diffusion round r/R`) and the driver log.

// COMMAND ----------

import org.apache.spark.ml.{Pipeline, PipelineStage}
import org.apache.spark.sql.functions._
import org.diffusionlabs.models.adm.AdmUNetConfig
import org.diffusionlabs.predictors.PredictionType
import org.diffusionlabs.recipes.{ModelSpec, OptimizerSpec, TrainingSpec}
import org.diffusionlabs.schedules.BetaScheduleKind
import org.diffusionlabs.spark._
import org.diffusionlabs.training.{LearningRateSchedule, TrainingGraph}

val unet = AdmUNetConfig.admUnet(128, 128, 128, "digit", true, 1, 32, 2, 1)
val modelSpec = new ModelSpec(unet, BetaScheduleKind.COSINE, 1000, PredictionType.V, TrainingGraph.Loss.HYBRID,
  0.001, /* guidance p */ 0.1, /* guidance scale */ 2.0, /* classes */ 10)
val spec = new TrainingSpec(modelSpec, OptimizerSpec.adamW(), LearningRateSchedule.constant(2e-3),
  new TrainingSpec.EmaSpec(0.995, true), batch, /* grad accum */ 1, /* seed */ 0L)

val decode = new DecodeImages().setInputCol("image").setOutputCol("pixels").setSize(28).setHandleInvalid("skip")
val normalize = new NormalizeImages().setInputCol("pixels").setOutputCol("x").setLength(28 * 28)
val trainer = new DiffusionTrainer(spec)
  .setImageCol("x")
  .setImageSize(28)
  .setMaxSteps(maxSteps)
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
val conditions = spark.range(0, samples).select(col("id"), (col("id") % 10).cast("int").as("label"))
  .repartition(partitions)
val images = loaded.setKeyCol("id").setSampler("ddim").setSteps(samplingSteps).setEta(0.0).setGuidance(2.0)
  .setSeed(7).setBatchSize(25).transform(conditions)          // + image_png (binary)
images.write.mode("overwrite").parquet(s"$root/samples.parquet")

// COMMAND ----------

// The samples as images: PNG bytes as data URIs, shown at twice their size, labelled by the digit asked for.
def pngGrid(df: org.apache.spark.sql.DataFrame, limit: Int): String = {
  val b64 = java.util.Base64.getEncoder
  df.orderBy("id").limit(limit).select("label", "image_png").collect().map { r =>
    s"""<figure style="display:inline-block;margin:2px;text-align:center">""" +
      s"""<img src="data:image/png;base64,${b64.encodeToString(r.getAs[Array[Byte]](1))}" width="56" height="56" """ +
      s"""style="image-rendering:pixelated"><figcaption>${r.getInt(0)}</figcaption></figure>"""
  }.mkString("<div>", "", "</div>")
}
displayHTML(pngGrid(spark.read.parquet(s"$root/samples.parquet"), 40))

// COMMAND ----------

// MAGIC %md
// MAGIC The same from the command line (the run directory of `bin/diffusion train`, or `--model` for the model this
// MAGIC notebook saved):
// MAGIC ```
// MAGIC bin/diffusion sample --master local[4] --model <volume>/diffusion-labs/model --conditions conds.parquet \
// MAGIC     --out out.parquet --key-col id --sampler ddim --steps 50 --batch 25
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
  OptimizerSpec.adamW(), LearningRateSchedule.constant(2e-3), new TrainingSpec.EmaSpec(0.995, true), batch, 1, 0L)
val vectorPipeline = new Pipeline().setStages(Array[PipelineStage](decode, normalize, table,
  new EmbeddingConditioning(128).setInputCol("clip").setOutputCol("embedding").setNormalize(true),
  new DiffusionTrainer(vectorSpec).setImageCol("x").setImageSize(28).setMaxSteps(maxSteps).setAveragingFrequency(5)))
val vectorModel = vectorPipeline.fit(raw)
val vectorDiffusion = vectorModel.stages(4).asInstanceOf[DiffusionModel]
vectorDiffusion.write.overwrite().save(s"$root/vector-model")
// sampling reads the same column: the (id, label) conditions become unit vectors the same way
val vectors = new EmbeddingConditioning(128).setInputCol("clip").setOutputCol("embedding").setNormalize(true)
  .transform(table.transform(conditions))
val sampled = vectorDiffusion.setKeyCol("id").setSteps(samplingSteps).setBatchSize(25).transform(vectors)
displayHTML(pngGrid(sampled, 20))
// the same from spark-submit / the command line: sample --master M --model <volume>/diffusion-labs/vector-model
//   --conditions c.parquet --out out.parquet --key-col id --embedding-col embedding
