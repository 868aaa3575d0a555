package org.diffusionlabs.jobs;

import org.diffusionlabs.spark.HadoopStorage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.training.Optimizer;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.diffusionlabs.training.TrainingGraph;

import java.awt.AWTError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code diffusion train}: the main job. Trains the configured class-conditional diffusion model (default:
 * {@code conf/mnist.conf}, the embedded MNIST digits) on one machine, with a progress line on stderr, a metrics log
 * ({@code RUN/metrics.jsonl}), a loss curve ({@code RUN/loss.png}, redrawn at every checkpoint), sample grids from
 * the EMA weights ({@code RUN/samples/step-<N>.png}), checkpoints {@code RUN/checkpoints/step-<N>/} (manifest written
 * last, keep-last-k) and resume from the newest valid checkpoint. Every location goes through Hadoop's FileSystem.
 */
public final class TrainCommand extends OptionCommand {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "Train a class-conditional diffusion model (default: the embedded MNIST digits) with checkpoints.";
    }

    @Override
    protected String synopsis() {
        return "[--config C.conf] --out RUN [--max-steps N] [--max-minutes M] [--seed S] [--resume latest] [--set key=value ...]";
    }

    @Override
    protected String description() {
        return "The configuration starts from conf/mnist.conf; --config adds a HOCON file, --set key=value overrides one\n"
                + "key (repeatable); unknown keys are errors. Checkpoints go to RUN/checkpoints/step-<N>/ (model.safetensors\n"
                + "holds the U-Net under the PyTorch state-dict names), metrics to RUN/metrics.jsonl and RUN/loss.png,\n"
                + "sample grids every train.sample_every steps to RUN/samples/step-<N>.png, the resolved configuration\n"
                + "to RUN/config.json. --resume latest continues from the newest valid checkpoint.\n"
                + "Training images: data.source = mnist-embedded, an IDX file, an image folder or Parquet (any Hadoop\n"
                + "location; see conf/mnist.conf); images skipped under data.on_invalid = skip are counted on stderr.";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("config", "C.conf", "a HOCON configuration file (keys of conf/mnist.conf)"),
                Option.valued("out", "RUN", "run directory (local path or Hadoop URI)"),
                Option.valued("max-steps", "N", "stop after N optimiser steps (train.max_steps)"),
                Option.valued("max-minutes", "M", "stop after M minutes, with a checkpoint (train.max_minutes)"),
                Option.valued("seed", "S", "random seed (train.seed)"),
                Option.valued("resume", "latest", "continue from the newest valid checkpoint of RUN"),
                Option.repeated("set", "key=value", "override one configuration key"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        String run = args.required("out");
        List<String> overrides = new ArrayList<>(args.all("set"));
        args.optionalInt("max-steps").ifPresent(v -> overrides.add("train.max_steps=" + v));
        args.optionalInt("seed").ifPresent(v -> overrides.add("train.seed=" + v));
        if (args.string("max-minutes").isPresent()) {
            overrides.add("train.max_minutes=" + args.real("max-minutes", 0));
        }
        Optional<String> resume = args.string("resume");
        if (resume.isPresent() && !resume.get().equals("latest")) {
            throw new UsageException("option --resume takes 'latest', got '" + resume.get() + "'");
        }
        Config config = JobConfigs.load("mnist.conf", args.string("config").orElse(null), overrides);
        TrainRecipe recipe = new TrainRecipe(config);
        try {
            return train(recipe, run, resume.isPresent(), err);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static int train(TrainRecipe recipe, String run, boolean resume, PrintStream err) throws IOException {
        Config c = recipe.config;
        long seed = c.getLong("train.seed");
        DataSource.Loaded loaded = recipe.trainingData();
        LabeledImages data = loaded.data();
        err.printf("data: %s: %,d training images%n", loaded.description(), data.size());
        if (loaded.skipped() > 0) {
            err.printf("data: skipped %,d unusable image(s) (data.on_invalid = skip); the first %d:%n", loaded.skipped(),
                    loaded.skippedExamples().size());
            loaded.skippedExamples().forEach(m -> err.println("  " + m));
        }
        TrainRecipe.Model model = recipe.build(seed);
        TrainingGraph graph = TrainingGraph.build(model.unet(), model.guidance(), model.encoder(), recipe.loss,
                recipe.prediction, recipe.unet.dropout(), c.getDouble("diffusion.vlb_weight"));
        Optimizer adam = recipe.optimizer().create();
        TrainStep step = new TrainStep(graph, recipe.schedule, adam, c.getDouble("optimizer.clip_norm"));
        Ema ema = new Ema(graph.trainables(), c.getDouble("ema.decay"), c.getBoolean("ema.warmup"));
        Trainer trainer = new Trainer(step, ema, recipe.learningRate(), data, c.getInt("train.batch"), recipe.gradAccum);
        HadoopStorage runDir = new HadoopStorage(run);
        CheckpointStore store = new CheckpointStore(new HadoopStorage(run + "/checkpoints"), c.getInt("train.keep_last"));
        Trainer.State state = Trainer.State.start(seed, data.size());
        if (resume) {
            Optional<Checkpoint> latest = store.latest(msg -> err.println("skipping checkpoint " + msg));
            if (latest.isEmpty()) {
                err.println("no valid checkpoint under " + run + "/checkpoints: starting from step 0");
            } else {
                state = TrainingCheckpoint.restore(latest.get(), step, ema);
                err.printf("resumed from %s/checkpoints/%s%n", run, CheckpointStore.directory(state.step));
            }
        }
        write(runDir, "config.json", recipe.json());
        long maxSteps = c.getLong("train.max_steps");
        double minutes = c.getDouble("train.max_minutes");
        long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
        err.printf("training %,d parameters on %,d images, batch %d%s, predicting %s, steps %d..%d%s%n",
                model.unet().parameters().count(), data.size(), c.getInt("train.batch"),
                recipe.gradAccum > 1 ? " x " + recipe.gradAccum + " micro-batches" : "", c.getString("diffusion.prediction"),
                state.step, maxSteps, minutes > 0 ? ", at most " + minutes + " min" : "");
        MetricsLog metrics = new MetricsLog(runDir, "metrics.jsonl", resume);
        String name = HadoopFiles.path(run).getName();
        TrainingSamples samples = new TrainingSamples(recipe, runDir);
        Progress progress = new Progress(err, maxSteps, state.step, c.getInt("train.log_every"), deadline);
        Trainer.State[] current = {state};
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onStep(long s, Map<String, Double> losses, double lr, double seconds) {
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
                if (samples.due(s)) {
                    sample(samples, s, graph, ema, run, err);
                }
            }

            @Override
            public void onCheckpoint(long s) {
                save(store, step, ema, current[0], recipe, metrics, err);
                plot(runDir, metrics, name, err);
            }
        };
        current[0] = trainer.run(state, maxSteps, deadline, c.getInt("train.checkpoint_every"), listener);
        progress.done();
        if (store.steps().isEmpty() || store.steps().get(store.steps().size() - 1) != current[0].step) {
            save(store, step, ema, current[0], recipe, metrics, err);
        }
        plot(runDir, metrics, name, err);
        if (samples.enabled() && !samples.written(current[0].step)) {
            sample(samples, current[0].step, graph, ema, run, err);
        }
        err.printf("done: %d steps; checkpoints in %s/checkpoints%n", current[0].step, run);
        if (current[0].step < maxSteps) {
            err.printf("note: stopped by the time limit (train.max_minutes = %s) at step %d of %d, so the learning rate had "
                    + "not finished its %s decay; --max-steps %d would fit the same time with a complete schedule "
                    + "(resume with --resume latest to finish this one)%n", minutes, current[0].step, maxSteps,
                    c.getString("optimizer.decay"), current[0].step);
        }
        return OK;
    }

    private static void save(CheckpointStore store, TrainStep step, Ema ema, Trainer.State state, TrainRecipe recipe,
                             MetricsLog metrics, PrintStream err) {
        try {
            String dir = store.save(TrainingCheckpoint.capture(step, ema, state, recipe.json(), Versions.all()));
            metrics.flush();
            err.printf("%ncheckpoint %s written%n", dir);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at step " + state.step + ": " + e.getMessage(), e);
        }
    }

    /**
     * Redraws {@code RUN/loss.png} from every logged row. The plot is a convenience: a JVM whose AWT cannot draw (no
     * fonts) fails with errors, not exceptions, and that must not end a training run, so it is reported and skipped.
     */
    private static void plot(HadoopStorage runDir, MetricsLog metrics, String name, PrintStream err) {
        try (OutputStream o = runDir.create("loss.png")) {
            o.write(LossCurvePlot.png(metrics.rows(), name));
        } catch (IOException | RuntimeException | LinkageError | AWTError | InternalError e) {
            err.printf("%nloss.png not written: %s%n", e);
        }
    }

    private static void sample(TrainingSamples samples, long s, TrainingGraph graph, Ema ema, String run,
                               PrintStream err) {
        long t0 = System.nanoTime();
        try {
            String path = samples.write(s, graph, ema);
            err.printf("%nsample grid %s/%s written in %.1f s%n", run, path, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("sample grid at step " + s + ": " + e.getMessage(), e);
        }
    }

    static void write(HadoopStorage dir, String name, String text) throws IOException {
        try (OutputStream o = dir.create(name)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static String json(Object o) {
        try {
            return new ObjectMapper().writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
