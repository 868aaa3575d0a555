package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.diffusionlabs.training.TrainingGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code diffusion train}: the main job. Trains the configured class-conditional diffusion model (default:
 * {@code conf/mnist.conf}, the embedded MNIST digits) on one machine, with a progress line on stderr, a metrics log
 * ({@code RUN/metrics.jsonl}), a loss curve ({@code RUN/loss.png}, redrawn at every checkpoint), sample grids from
 * the EMA weights ({@code RUN/samples/step-<N>.png}), checkpoints {@code RUN/checkpoints/step-<N>/} (manifest written
 * last, keep-last-k valid ones) and resume from the newest valid checkpoint. Every location goes through Hadoop's
 * FileSystem. A user's data is never replaced unasked: a directory holding a run needs {@code --resume} or
 * {@code --overwrite}, a resume under other data or model settings needs {@code --allow-config-change}, and every
 * file of the run is written under a temporary name first.
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
        return "[--config C.conf] --out RUN [--max-steps N] [--max-minutes M] [--seed S]\n"
                + "       [--resume latest [--allow-config-change] | --overwrite]\n"
                + "       [--master local[N]|spark://HOST:PORT|yarn [--partitions P] [--averaging-frequency K]] [--set key=value ...]";
    }

    @Override
    protected String description() {
        return "The configuration starts from conf/mnist.conf; --config adds a HOCON file, --set key=value overrides one\n"
                + "key (repeatable); unknown keys are errors. Checkpoints go to RUN/checkpoints/step-<N>/ (model.safetensors\n"
                + "holds the U-Net under the PyTorch state-dict names), metrics to RUN/metrics.jsonl and RUN/loss.png,\n"
                + "sample grids every train.sample_every steps to RUN/samples/step-<N>.png, the resolved configuration\n"
                + "to RUN/config.json. --resume latest continues from the newest valid checkpoint (a corrupt or\n"
                + "incomplete one is skipped with a warning) and cuts RUN/metrics.jsonl back to its step. A RUN that\n"
                + "already holds a run is refused unless --resume latest continues it or --overwrite replaces it; a resume\n"
                + "whose data, model, diffusion, guidance, optimizer, ema or train settings (other than run length,\n"
                + "reporting and threads) differ from the checkpoint's is refused, naming the keys, unless\n"
                + "--allow-config-change.\n"
                + "Training images: data.source = mnist-embedded, an IDX file, an image folder or Parquet (any Hadoop\n"
                + "location; see conf/mnist.conf); images skipped under data.on_invalid = skip are counted on stderr.\n"
                + "With --master (or under spark-submit, which sets spark.master) the same run trains on Spark by parameter\n"
                + "averaging (docs/spark.md): P partitions (spark.partitions; default: the master's parallelism) each train\n"
                + "K optimiser steps (spark.averaging_frequency) between averagings; checkpoints, metrics, loss curve and\n"
                + "sample grids are the single machine's, train.checkpoint_every is rounded up to whole rounds.\n"
                + "--master local[1] writes the same weights as the single machine, byte for byte.";
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
                Option.flag("allow-config-change", "with --resume: continue even though the data or model settings differ "
                        + "from the checkpoint's"),
                Option.flag("overwrite", "replace the run already in RUN (its checkpoints, metrics, config, plots)"),
                Option.valued("master", "M", "train on Spark: local[N], spark://HOST:PORT, yarn, ... (default: spark.master "
                        + "under spark-submit, else one machine without Spark)"),
                Option.valued("partitions", "P", "Spark: data partitions = model replicas (spark.partitions)"),
                Option.valued("averaging-frequency", "K", "Spark: local steps between averagings (spark.averaging_frequency)"),
                Option.valued("vae", "VAE_RUN", "latent diffusion: train on the latents of this train-vae run "
                        + "(docs/latent-diffusion.md)"),
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
        args.optionalInt("partitions").ifPresent(v -> overrides.add("spark.partitions=" + v));
        args.optionalInt("averaging-frequency").ifPresent(v -> overrides.add("spark.averaging_frequency=" + v));
        String master = args.string("master").orElse(System.getProperty("spark.master"));
        if (master == null && (args.string("partitions").isPresent() || args.string("averaging-frequency").isPresent())) {
            throw new UsageException("options --partitions and --averaging-frequency need --master");
        }
        Optional<String> resume = args.string("resume");
        if (resume.isPresent() && !resume.get().equals("latest")) {
            throw new UsageException("option --resume takes 'latest', got '" + resume.get() + "'");
        }
        boolean overwrite = args.flag("overwrite");
        if (resume.isPresent() && overwrite) {
            throw new UsageException("options --resume and --overwrite exclude each other: continue the run in " + run
                    + " or replace it");
        }
        if (args.flag("allow-config-change") && resume.isEmpty()) {
            throw new UsageException("option --allow-config-change needs --resume latest");
        }
        try {
            HadoopStorage runDir = new HadoopStorage(run);
            RunDirectory.check(runDir, run, resume.isPresent(), overwrite);
            Config config = JobConfigs.load("mnist.conf", args.string("config").orElse(null), overrides);
            if (args.string("vae").isPresent()) {
                if (master != null) {
                    throw new UsageException("option --vae does not train on Spark yet: leave out --master");
                }
                config = LatentData.attach(config, args.string("vae").get());
            }
            TrainRecipe recipe = TrainRecipe.ofUserConfig(config);
            CheckpointStore store = TrainingCheckpoint.store(new HadoopStorage(run + "/checkpoints"),
                    config.getInt("train.keep_last"));
            Optional<Checkpoint> from = Optional.empty();
            if (resume.isPresent()) {
                from = store.latest(msg -> err.println("skipping checkpoint " + msg));
                if (from.isPresent()) {
                    checkSettings(from.get(), recipe, run, args.flag("allow-config-change"), err);
                }
            }
            return train(recipe, run, runDir, store, resume.isPresent(), from, overwrite, master, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Refuses a resume whose settings differ from the checkpoint's ({@link ConfigChanges}) unless allowed. */
    private static void checkSettings(Checkpoint cp, TrainRecipe recipe, String run, boolean allowed, PrintStream err)
            throws UsageException {
        String where = run + "/checkpoints/" + CheckpointStore.directory(cp.step());
        List<String> changed = ConfigChanges.between(cp.jsonFiles().get(TrainingCheckpoint.CONFIG),
                where + "/" + TrainingCheckpoint.CONFIG, recipe.json());
        if (changed.isEmpty()) {
            return;
        }
        if (!allowed) {
            throw new UsageException("--resume latest: " + where + " was trained with other settings: "
                    + String.join(", ", changed) + "; resume with the checkpoint's settings, or pass "
                    + "--allow-config-change to continue under the new ones");
        }
        err.println("note: resuming " + where + " with changed settings (--allow-config-change): " + String.join(", ", changed));
    }

    private static int train(TrainRecipe recipe, String run, HadoopStorage runDir, CheckpointStore store, boolean resume,
                             Optional<Checkpoint> from, boolean overwrite, String master, PrintStream err)
            throws IOException {
        Config c = recipe.config;
        DataSource.Loaded loaded = LatentData.trainingData(recipe, err);
        LabeledImages data = loaded.data();
        err.printf("data: %s: %,d training images%n", loaded.description(), data.size());
        if (loaded.skipped() > 0) {
            err.printf("data: skipped %,d unusable image(s) (data.on_invalid = skip); the first %d:%n", loaded.skipped(),
                    loaded.skippedExamples().size());
            loaded.skippedExamples().forEach(m -> err.println("  " + m));
        }
        if (overwrite) {
            List<String> removed = RunDirectory.clear(runDir);
            if (!removed.isEmpty()) {
                err.println("--overwrite: removed the previous run's " + String.join(", ", removed) + " from " + run);
            }
        }
        runDir.write("config.json", recipe.json().getBytes(StandardCharsets.UTF_8));
        double minutes = c.getDouble("train.max_minutes");
        long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
        MetricsLog metrics = resume ? MetricsLog.resumed(runDir, "metrics.jsonl", from.map(Checkpoint::step).orElse(0L))
                : new MetricsLog(runDir, "metrics.jsonl");
        RunLog log = new RunLog(recipe, run, runDir, metrics, deadline, err);
        if (master != null && recipe.threads > 1) {
            err.println("note: train.threads = " + recipe.threads + " applies to the single machine; Spark tasks each train "
                    + "on one thread set (spark.task.cpus)");
        }
        long end = master != null ? SparkTrain.run(recipe, data, run, resume, master, log)
                : trainLocally(recipe, data, run, store, resume, from, log);
        log.progress.done();
        log.plot();
        if (log.samples.enabled() && !log.samples.written(end)) {
            log.sample(end);
        }
        long maxSteps = c.getLong("train.max_steps");
        err.printf("done: %d steps; checkpoints in %s/checkpoints%n", end, run);
        if (end < maxSteps) {
            err.printf("note: stopped by the time limit (train.max_minutes = %s) at step %d of %d, so the learning rate had "
                    + "not finished its %s decay; --max-steps %d would fit the same time with a complete schedule "
                    + "(resume with --resume latest to finish this one)%n", minutes, end, maxSteps,
                    c.getString("optimizer.decay"), end);
        }
        return OK;
    }

    /** The single-machine loop ({@link Trainer}) of the run's {@link TrainingSpec}; returns the step reached. */
    private static long trainLocally(TrainRecipe recipe, LabeledImages data, String run, CheckpointStore store,
                                     boolean resume, Optional<Checkpoint> from, RunLog log) throws IOException {
        PrintStream err = log.err;
        TrainingSpec spec = recipe.training();
        try (TrainingSpec.Built built = spec.build()) {
            TrainStep step = built.step();
            TrainingGraph graph = step.graph();
            Ema ema = built.ema();
            Trainer trainer = spec.trainer(built, data, spec.batch());
            Trainer.State state = Trainer.State.start(spec.seed(), data.size());
            if (resume) {
                if (from.isEmpty()) {
                    err.println("no valid checkpoint under " + run + "/checkpoints: starting from step 0");
                } else {
                    state = TrainingCheckpoint.restore(from.get(), step, ema);
                    err.printf("resumed from %s/checkpoints/%s%n", run, CheckpointStore.directory(state.step));
                }
            }
            log.start(built.model().unet().parameters().count(), data.size(), state.step, graph, ema, "");
            log.beforeSamples = step::releaseActivations; // a grid's memory replaces training's, it does not add to it
            return runLoop(recipe, store, log, trainer, state, step, ema);
        }
    }

    /** The loop itself, with checkpoints, samples and a final checkpoint. */
    private static long runLoop(TrainRecipe recipe, CheckpointStore store, RunLog log, Trainer trainer,
                                Trainer.State state, TrainStep step, Ema ema) throws IOException {
        Config c = recipe.config;
        PrintStream err = log.err;
        Trainer.State[] current = {state};
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void onStep(long s, Map<String, Double> losses, double lr, double seconds) {
                log.step(s, losses, lr, seconds);
                if (log.samples.due(s)) {
                    log.sample(s);
                }
            }

            @Override
            public void onCheckpoint(long s) {
                save(store, step, ema, current[0], recipe, log.metrics, err);
                log.plot();
            }
        };
        current[0] = trainer.run(state, c.getLong("train.max_steps"), log.deadline, c.getInt("train.checkpoint_every"),
                listener);
        if (!store.isValid(current[0].step)) { // not yet saved, or a partial or corrupt directory of it: save afresh
            save(store, step, ema, current[0], recipe, log.metrics, err);
        }
        return current[0].step;
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
}
