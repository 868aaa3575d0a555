package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.models.vae.VaeNetwork;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.diffusionlabs.training.VaeCheckpoint;
import org.diffusionlabs.training.VaeTrainer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code diffusion train-vae}: trains the autoencoder of latent diffusion ({@code conf/mnist-vae.conf}) on one
 * machine, with the run-directory rules of {@code train} ({@code --resume latest}, {@code --overwrite}, checkpoints
 * by validity, metrics log, loss curve, atomic writes), then exports what an LDM run needs ({@link LatentVae}): the
 * EMA weights, the latent scale factor and the held-out reconstruction error ({@link VaeExport}).
 */
public final class TrainVaeCommand extends OptionCommand {
    @Override
    public String name() {
        return "train-vae";
    }

    @Override
    public String summary() {
        return "Train the autoencoder of latent diffusion (default: the embedded MNIST digits) with checkpoints.";
    }

    @Override
    protected String synopsis() {
        return "--out VAE_RUN [--config C.conf] [--max-steps N] [--max-minutes M] [--seed S] [--resume latest | --overwrite] "
                + "[--set key=value ...]";
    }

    @Override
    protected String description() {
        return "The configuration starts from conf/mnist-vae.conf; --config adds a HOCON file, --set key=value overrides one\n"
                + "key. Loss: per-pixel MSE + loss.kl_weight * KL; AdamW, EMA, checkpoints VAE_RUN/checkpoints/step-<N>/,\n"
                + "VAE_RUN/metrics.jsonl and VAE_RUN/loss.png as for train. At the end: VAE_RUN/vae.safetensors (EMA weights),\n"
                + "VAE_RUN/latent.json (latent scale factor = 1/std of the training images' posterior modes, held-out\n"
                + "reconstruction MSE) and VAE_RUN/reconstructions.png (ten held-out digits, their reconstructions below).\n"
                + "Then: diffusion train --config conf/mnist-ldm.conf --vae VAE_RUN --out LDM_RUN (docs/latent-diffusion.md).";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("config", "C.conf", "a HOCON configuration file (keys of conf/mnist-vae.conf)"),
                Option.valued("out", "VAE_RUN", "run directory (local path or Hadoop URI)"),
                Option.valued("max-steps", "N", "stop after N optimiser steps (train.max_steps)"),
                Option.valued("max-minutes", "M", "stop after M minutes, with a checkpoint (train.max_minutes)"),
                Option.valued("seed", "S", "random seed (train.seed)"),
                Option.valued("resume", "latest", "continue from the newest valid checkpoint of VAE_RUN"),
                Option.flag("overwrite", "replace the run already in VAE_RUN"),
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
        boolean overwrite = args.flag("overwrite");
        if (resume.isPresent() && overwrite) {
            throw new UsageException("options --resume and --overwrite exclude each other: continue the run in " + run
                    + " or replace it");
        }
        try {
            HadoopStorage runDir = new HadoopStorage(run);
            RunDirectory.check(runDir, run, resume.isPresent(), overwrite);
            VaeRecipe recipe;
            try {
                recipe = new VaeRecipe(JobConfigs.load(VaeRecipe.DEFAULTS, args.string("config").orElse(null), overrides));
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.of(e); // the user's configuration: exit code 2, like train's
            }
            CheckpointStore store = VaeCheckpoint.store(new HadoopStorage(run + "/checkpoints"),
                    recipe.config.getInt("train.keep_last"));
            Optional<Checkpoint> from = Optional.empty();
            if (resume.isPresent()) {
                from = store.latest(msg -> err.println("skipping checkpoint " + msg));
                if (from.isPresent()) {
                    String where = run + "/checkpoints/" + CheckpointStore.directory(from.get().step());
                    List<String> changed = ConfigChanges.between(from.get().jsonFiles().get(TrainingCheckpoint.CONFIG),
                            where + "/" + TrainingCheckpoint.CONFIG, recipe.json());
                    if (!changed.isEmpty()) {
                        throw new UsageException("--resume latest: " + where + " was trained with other settings: "
                                + String.join(", ", changed) + "; resume with the checkpoint's settings");
                    }
                }
            }
            return train(recipe, run, runDir, store, resume.isPresent(), from, overwrite, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static int train(VaeRecipe recipe, String run, HadoopStorage runDir, CheckpointStore store, boolean resume,
                             Optional<Checkpoint> from, boolean overwrite, PrintStream out, PrintStream err)
            throws IOException {
        Config c = recipe.config;
        DataSource.Loaded loaded = TrainRecipe.load(recipe.data);
        LabeledImages.Split split = TrainRecipe.prepare(loaded, c, recipe.vae.inChannels());
        err.printf("data: %s: %,d training images, %,d held out%n", loaded.description(), split.train().size(),
                split.heldOut().size());
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
        VariationalAutoencoder vae = recipe.build();
        AdamW optimizer = recipe.optimizer();
        Ema ema = recipe.ema(vae.stateDict());
        Trainer.State state = from.isPresent() ? VaeCheckpoint.restore(from.get(), vae, optimizer, ema)
                : Trainer.State.start(c.getLong("train.seed"), split.train().size());
        long maxSteps = c.getLong("train.max_steps");
        err.printf("training a VAE of %,d parameters (latents %dx%dx%d of %dx%d images), batch %d, steps %d..%d%s%s%n",
                vae.parameters().asMap().values().stream().mapToLong(a -> a.length()).sum(),
                recipe.vae.embeddingChannels(), recipe.latentSize(), recipe.latentSize(), recipe.imageSize,
                recipe.imageSize, c.getInt("train.batch"), state.step, maxSteps,
                minutes > 0 ? ", at most " + minutes + " min" : "",
                from.map(cp -> ", resumed from step " + cp.step()).orElse(""));
        Progress progress = new Progress(err, maxSteps, state.step, c.getInt("train.log_every"), deadline);
        Trainer.State[] current = {state};
        long t0 = System.nanoTime();
        try (VaeNetwork net = vae.network(Kernels.get())) {
            VaeTrainer trainer = new VaeTrainer(vae, net, optimizer, ema, recipe.learningRate(), split.train(),
                    c.getInt("train.batch"), recipe.klWeight, c.getDouble("optimizer.clip_norm"));
            Trainer.Listener listener = new Trainer.Listener() {
                @Override
                public void onStep(long s, Map<String, Double> losses, double lr, double seconds) {
                    progress.step(s, losses.get(VaeTrainer.LOSS));
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("step", s);
                    row.putAll(losses);
                    row.put("lr", lr);
                    row.put("seconds", seconds);
                    metrics.add(row);
                }

                @Override
                public void onCheckpoint(long s) {
                    save(store, vae, optimizer, ema, current[0], recipe, metrics, err);
                }
            };
            current[0] = trainer.run(state, maxSteps, deadline, c.getInt("train.checkpoint_every"), listener);
        }
        progress.done();
        if (!store.isValid(current[0].step)) {
            save(store, vae, optimizer, ema, current[0], recipe, metrics, err);
        }
        metrics.flush();
        plot(runDir, metrics, run, err);
        err.printf("done: %d steps in %.1f min; checkpoints in %s/checkpoints%n", current[0].step,
                (System.nanoTime() - t0) / 60e9, run);
        ObjectNode summary = VaeExport.export(recipe, ema.weights(), split, runDir, current[0].step, err);
        out.println(new ObjectMapper().writeValueAsString(summary));
        return OK;
    }

    private static void plot(HadoopStorage runDir, MetricsLog metrics, String run, PrintStream err) {
        try {
            runDir.write("loss.png", LossCurvePlot.png(metrics.rows(), HadoopFiles.path(run).getName()));
        } catch (IOException | RuntimeException | LinkageError | java.awt.AWTError e) {
            err.printf("loss.png not written: %s%n", e);
        }
    }

    private static void save(CheckpointStore store, VariationalAutoencoder vae, AdamW optimizer, Ema ema,
                             Trainer.State state, VaeRecipe recipe, MetricsLog metrics, PrintStream err) {
        try {
            String dir = store.save(VaeCheckpoint.capture(vae, optimizer, ema, state, recipe.json(), Versions.all()));
            metrics.flush();
            err.printf("%ncheckpoint %s written%n", dir);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at step " + state.step + ": " + e.getMessage(), e);
        }
    }
}
