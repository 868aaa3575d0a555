package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.spark.DiffusionModel;
import org.diffusionlabs.spark.DiffusionTrainer;
import org.diffusionlabs.spark.SparkTrainer;
import org.diffusionlabs.spark.SparkTrainingConfig;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The Spark side of {@code diffusion train --master M}: a session, the loaded training images as a DataFrame of
 * contiguous slices (partition p holds rows [p·n/P, (p+1)·n/P) in the loaded order, so {@code local[1]} sees exactly
 * the single machine's data), and {@link DiffusionTrainer} reporting to the job's {@link RunLog}.
 */
final class SparkTrain {
    static final StructType SCHEMA = new StructType()
            .add("image", DataTypes.BinaryType, false)
            .add("label", DataTypes.IntegerType, false);

    private SparkTrain() {}

    /**
     * The session of a run: the given master (or spark-submit's), app name "diffusion train RUN", and for
     * non-local masters executor OpenMP threads = spark.task.cpus with a passive wait policy unless already set.
     */
    static SparkSession session(String master, String appName) {
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        }
        conf.setAppName(appName);
        if (!conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", conf.get("spark.task.cpus", "1"));
            conf.setIfMissing("spark.executorEnv.OMP_WAIT_POLICY", "PASSIVE");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * The images as a DataFrame (image: float32 little-endian c·h·w bytes, label: int) in {@code partitions}
     * contiguous slices. The arrays travel once per executor as broadcasts; tasks carry only their slice index.
     */
    static Dataset<Row> frame(SparkSession spark, LabeledImages data, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int n = data.size();
        if (n < partitions) {
            throw new IllegalArgumentException(n + " training images cannot fill " + partitions + " partitions (spark.partitions)");
        }
        Broadcast<float[]> pixels = jsc.broadcast(data.images().dup('c').data().asFloat());
        Broadcast<int[]> labels = jsc.broadcast(data.labels().clone());
        List<Integer> slices = IntStream.range(0, partitions).boxed().toList();
        JavaRDD<Row> rows = jsc.parallelize(new ArrayList<>(slices), partitions).flatMap(p -> {
            float[] px = pixels.value();
            int[] lb = labels.value();
            int per = px.length / lb.length;
            int lo = (int) ((long) p * lb.length / partitions);
            int hi = (int) ((long) (p + 1) * lb.length / partitions);
            List<Row> out = new ArrayList<>(hi - lo);
            for (int i = lo; i < hi; i++) {
                ByteBuffer b = ByteBuffer.allocate(per * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(px, i * per, per);
                out.add(RowFactory.create(b.array(), lb[i]));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static boolean running(scala.Option<SparkSession> s) {
        return s.isDefined() && !s.get().sparkContext().isStopped();
    }

    /** Trains the run on Spark and returns the step reached (checkpoints written by {@link DiffusionTrainer}). */
    static long run(TrainRecipe recipe, LabeledImages data, String run, boolean resume, String master,
                    RunLog log) {
        Config c = recipe.config;
        PrintStream err = log.err;
        boolean existing = running(SparkSession.getActiveSession()) || running(SparkSession.getDefaultSession());
        SparkSession spark = session(master, "diffusion train " + HadoopFiles.path(run).getName());
        if (existing && master != null && !master.equals(spark.sparkContext().master())) {
            err.printf("note: using the running Spark session (master %s), not --master %s%n",
                    spark.sparkContext().master(), master);
        }
        try {
            int configured = c.getInt("spark.partitions");
            int partitions = configured > 0 ? configured : spark.sparkContext().defaultParallelism();
            int k = c.getInt("spark.averaging_frequency");
            int everySteps = c.getInt("train.checkpoint_every");
            SparkTrainingConfig sc = SparkTrainingConfig.defaults().withAveragingFrequency(k)
                    .withCheckpointEveryRounds(everySteps <= 0 ? 0 : (everySteps + k - 1) / k).withNumPartitions(0);
            TrainingSpec spec = recipe.training();
            String how = String.format(", Spark %s: %d partition(s), averaging every %d step(s)",
                    spark.sparkContext().master(), partitions, k);
            boolean[] sampleDue = {false};
            SparkTrainer.Listener listener = new SparkTrainer.Listener() {
                @Override
                public void onStart(TrainingSpec.Built model, long step) {
                    if (resume) {
                        err.println(step > 0 ? "resumed from " + run + "/checkpoints/" + CheckpointStore.directory(step)
                                : "no valid checkpoint under " + run + "/checkpoints: starting from step 0");
                    }
                    log.start(model.model().unet().parameters().count(), data.size(), step, model.step().graph(),
                            model.ema(), how);
                }

                @Override
                public void onStep(long s, Map<String, Double> losses, double lr, double seconds) {
                    log.step(s, losses, lr, seconds);
                    sampleDue[0] |= log.samples.due(s);
                }

                @Override
                public void onRound(SparkTrainer.Round round) {
                    if (sampleDue[0]) {
                        sampleDue[0] = false;
                        log.sample(round.step());
                    }
                }

                @Override
                public void onCheckpoint(long s) {
                    log.metrics.flush();
                    err.printf("%ncheckpoint %s/checkpoints/%s written%n", run, CheckpointStore.directory(s));
                    log.plot();
                }

                @Override
                public boolean stopRequested() {
                    return System.nanoTime() >= log.deadline;
                }
            };
            DiffusionModel model = new DiffusionTrainer(spec)
                    .setImageSize(c.getInt("data.image_size"))
                    .setMaxSteps(c.getLong("train.max_steps"))
                    .setConfig(sc)
                    .setCheckpointLocation(run + "/checkpoints")
                    .setKeepLast(c.getInt("train.keep_last"))
                    .setResume(resume)
                    .setConfigJson(recipe.json())
                    .setVersions(Versions.all())
                    .setListener(listener)
                    .fit(frame(spark, data, partitions));
            if (model.rejectedContributions() > 0) {
                err.printf("%nnote: %d partition contribution(s) were rejected as non-finite (see the log)%n",
                        model.rejectedContributions());
            }
            return model.step();
        } finally {
            if (!existing) {
                spark.stop();
            }
        }
    }
}
