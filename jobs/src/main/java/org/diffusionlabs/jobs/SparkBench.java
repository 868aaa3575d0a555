package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.OptimizerSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.spark.DiffusionTrainer;
import org.diffusionlabs.spark.SparkTrainer;
import org.diffusionlabs.spark.SparkTrainingConfig;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code bench --what spark-train}: images/s of Spark parameter averaging ({@link DiffusionTrainer}, P partitions
 * of B/P images, averaging every k steps) against the single-machine {@link Trainer} at the same total batch B, on
 * the bench model (32×32 grey, guidance p = 0.1, hybrid loss, AdamW, EMA). Both train (W + R)·k steps on the same
 * random images; the first W·k steps (W rounds) are untimed. Spark's time is the rounds' wall time on the driver
 * (broadcast, tasks, aggregation, loading the average); the single machine's the sum of its step times.
 */
final class SparkBench {
    private SparkBench() {}

    static int run(String configName, int batch, String master, int partitions, int k, int warmup, int iters, long seed,
                   boolean asJson, PrintStream out, PrintStream err) {
        AdmUNetConfig unet = BenchConfigs.resolve(configName);
        ModelSpec model = new ModelSpec(unet, BetaScheduleKind.LINEAR, 1000, PredictionType.NOISE,
                TrainingGraph.Loss.HYBRID, 0.001, 0.1, 2.0, TrainRecipe.CLASSES);
        long steps = (long) (warmup + iters) * k;
        Rng rng = new Rng(seed);
        int n = Math.max(batch * 8, 256);
        INDArray x = rng.rand(n, unet.inChannels(), 32, 32).muli(2).subi(1);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % TrainRecipe.CLASSES;
        }
        LabeledImages data = new LabeledImages(x, labels);
        err.printf("bench spark-train on %s: total batch %d, %d warm-up + %d timed rounds of %d steps; Spark %s with %d "
                + "partitions of %d%n", configName, batch, warmup, iters, k, master, partitions, batch / partitions);

        long untimed = (long) warmup * k;
        double singleRate = batch * (double) (steps - untimed) / singleMachine(model, data, batch, k, steps, untimed, seed, err);
        System.gc(); // frees the single machine's off-heap arrays before Spark builds its models

        // Spark: P partitions of batch / P
        SparkSession spark = SparkTrain.session(master, "diffusion bench spark-train");
        double[] sparkTimed = {0, 0};
        try {
            new DiffusionTrainer(spec(model, batch / partitions, steps, seed))
                    .setImageSize(32).setMaxSteps(steps)
                    .setConfig(SparkTrainingConfig.defaults().withAveragingFrequency(k))
                    .setListener(new SparkTrainer.Listener() {
                        @Override
                        public void onStep(long step, Map<String, Double> losses, double lr, double seconds) {
                        }

                        @Override
                        public void onRound(SparkTrainer.Round round) {
                            boolean timed = round.round() > warmup;
                            if (timed) {
                                sparkTimed[0] += round.seconds();
                                sparkTimed[1] += round.examples();
                            }
                            err.printf("  spark round %d/%d: %.3f s, %d images (%.2f img/s)%s%n", round.round(),
                                    round.rounds(), round.seconds(), round.examples(), round.examples() / round.seconds(),
                                    timed ? "" : " warm-up");
                        }

                        @Override
                        public void onCheckpoint(long step) {
                        }
                    })
                    .fit(SparkTrain.frame(spark, data, partitions));
        } finally {
            spark.stop();
        }
        double sparkRate = sparkTimed[1] / sparkTimed[0];
        double overhead = 1 - sparkRate / singleRate;
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("config", configName);
        json.put("what", "spark-train");
        json.put("batch", batch);
        json.put("master", master);
        json.put("partitions", partitions);
        json.put("averaging_frequency", k);
        json.put("timed_steps", steps - untimed);
        json.put("single_images_per_s", singleRate);
        json.put("spark_images_per_s", sparkRate);
        json.put("overhead", overhead);
        json.put("peak_rss_mb", ProcessMemory.peakRssMb());
        json.put("omp_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        if (asJson) {
            out.println(json);
        } else {
            out.printf("%s spark-train batch %d: single machine %.2f img/s, Spark %s %d partitions k=%d %.2f img/s, "
                    + "overhead %.1f %%%n", configName, batch, singleRate, master, partitions, k, sparkRate, 100 * overhead);
        }
        return Command.OK;
    }

    /** Seconds of the timed steps of the single machine at total batch {@code batch} (its model is dropped after). */
    private static double singleMachine(ModelSpec model, LabeledImages data, int batch, int k, long steps, long untimed,
                                        long seed, PrintStream err) {
        TrainingSpec single = spec(model, batch, steps, seed);
        TrainingSpec.Built built = single.build();
        double[] singleTimed = {0};
        single.trainer(built, data, batch).run(Trainer.State.start(seed, data.size()), steps, Long.MAX_VALUE, 0,
                new Trainer.Listener() {
                    @Override
                    public void onStep(long step, Map<String, Double> losses, double lr, double seconds) {
                        if (step > untimed) {
                            singleTimed[0] += seconds;
                        }
                        if (step % k == 0) {
                            err.printf("  single machine step %d/%d: %.3f s/step%n", step, steps, seconds);
                        }
                    }

                    @Override
                    public void onCheckpoint(long step) {
                    }
                });
        return singleTimed[0];
    }

    private static TrainingSpec spec(ModelSpec model, int batch, long steps, long seed) {
        return new TrainingSpec(model, new OptimizerSpec(OptimizerSpec.Kind.ADAMW, 0.9, 0.999, 1e-8, 0.01, 1.0),
                LearningRateSchedule.constant(1e-4), new TrainingSpec.EmaSpec(0.995, true), batch, 1, seed);
    }
}
