package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.TrainingGraph;

import java.awt.AWTError;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What both trainers report to: the progress line, the metrics log (a non-finite loss ends the run), the loss
 * curve and the sample grids.
 */
final class RunLog {
    final TrainRecipe recipe;
    final String run;
    final HadoopStorage runDir;
    final MetricsLog metrics;
    final TrainingSamples samples;
    final long deadline;
    final PrintStream err;
    private final String name;
    Progress progress;
    private TrainingGraph graph;
    private Ema ema;
    /** Frees what training holds between steps before a grid is sampled (single machine: the activations). */
    Runnable beforeSamples = () -> {};

    RunLog(TrainRecipe recipe, String run, HadoopStorage runDir, MetricsLog metrics, long deadline, PrintStream err) {
        this.recipe = recipe;
        this.run = run;
        this.runDir = runDir;
        this.metrics = metrics;
        this.samples = new TrainingSamples(recipe, runDir);
        this.deadline = deadline;
        this.err = err;
        this.name = HadoopFiles.path(run).getName();
    }

    /** Training starts at {@code from} with this model (sampled from by {@link #sample}). */
    void start(long parameters, int images, long from, TrainingGraph g, Ema e, String how) {
        Config c = recipe.config;
        this.graph = g;
        this.ema = e;
        long maxSteps = c.getLong("train.max_steps");
        double minutes = c.getDouble("train.max_minutes");
        err.printf("training %,d parameters on %,d images, batch %d%s, predicting %s, steps %d..%d%s%s%n",
                parameters, images, c.getInt("train.batch"),
                recipe.gradAccum > 1 ? " x " + recipe.gradAccum + " micro-batches" : "",
                c.getString("diffusion.prediction"), from, maxSteps, minutes > 0 ? ", at most " + minutes + " min" : "",
                how);
        progress = new Progress(err, maxSteps, from, c.getInt("train.log_every"), deadline);
    }

    void step(long s, Map<String, Double> losses, double lr, double seconds) {
        progress.step(s, losses.get(TrainingGraph.LOSS));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", s);
        row.putAll(losses);
        row.put("lr", lr);
        row.put("seconds", seconds);
        metrics.add(row);
        if (!Double.isFinite(losses.get(TrainingGraph.LOSS))) {
            throw new IllegalStateException("non-finite loss at step " + s);
        }
    }

    /**
     * Redraws {@code RUN/loss.png} from every logged row. The plot is a convenience: a JVM whose AWT cannot draw
     * (no fonts) fails with errors, not exceptions, and that must not end a training run, so it is reported and
     * skipped.
     */
    void plot() {
        try {
            runDir.write("loss.png", LossCurvePlot.png(metrics.rows(), name));
        } catch (IOException | RuntimeException | LinkageError | AWTError | InternalError e) {
            err.printf("%nloss.png not written: %s%n", e);
        }
    }

    void sample(long s) {
        long t0 = System.nanoTime();
        try {
            beforeSamples.run();
            String path = samples.write(s, graph, ema);
            err.printf("%nsample grid %s/%s written in %.1f s%n", run, path, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("sample grid at step " + s + ": " + e.getMessage(), e);
        }
    }
}
