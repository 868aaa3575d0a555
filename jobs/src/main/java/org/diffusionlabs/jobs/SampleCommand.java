package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.jobs.data.PngImages;
import org.diffusionlabs.recipes.ModelWeights;
import org.diffusionlabs.recipes.SamplerSpec;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.spark.DiffusionModel;
import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code diffusion sample}: images of every class from a training run's newest valid checkpoint (EMA weights by
 * default), with DDIM or DDPM and classifier-free guidance; one grayscale PNG per image at
 * {@code DIR/<label>/<index>.png} and {@code DIR/grid.png} (a row per label). With {@code --master}, batch sampling
 * on Spark instead: one image per row of a Parquet file of conditions ({@code label}, optionally a key column that
 * seeds each row's noise), written as Parquet with the input columns plus {@code image_png} (and optionally the raw
 * {@code image}); see {@link DiffusionModel}.
 */
public final class SampleCommand extends OptionCommand {
    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "Sample every class from a training run's checkpoint into PNGs and a grid.";
    }

    @Override
    protected String synopsis() {
        return "--checkpoint RUN --out DIR [--sampler ddpm|ddim] [--steps S] [--eta E] [--guidance G] [--per-label K] "
                + "[--seed X] [--weights ema|model]\n"
                + "       diffusion sample --master M --checkpoint RUN|--model DIR --conditions IN.parquet --out OUT.parquet "
                + "[--label-col C] [--embedding-col C] [--key-col C] [--batch B] [--raw] [sampler options as above]";
    }

    @Override
    protected String description() {
        return "Defaults come from the run's configuration (sample.*, guidance.scale). Values map from [-1, 1] to 0..255.\n"
                + "ddim: S updates over S+1 evenly strided steps, eta 0 = deterministic; ddpm: S strided steps.\n"
                + "With --master: one image per row of --conditions (an integer label column; the key column, or else\n"
                + "the row's index, seeds its noise), written to --out as Parquet with image_png (and image with --raw).\n"
                + "Images are reproducible for the same seed, key and --batch, whatever the partitioning.\n"
                + "--model DIR: a saved DiffusionModel (model.write().save(DIR), e.g. from a notebook) instead of a run;\n"
                + "its saved sampling params are the defaults. A model conditioned on vectors reads --embedding-col\n"
                + "(default embedding: array<float|double> or vector) instead of the label column.";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("checkpoint", "RUN", "a training run directory (its newest valid checkpoint is used)"),
                Option.valued("out", "DIR", "output directory"),
                Option.valued("sampler", "ddpm|ddim", "sampler (default sample.sampler)"),
                Option.valued("steps", "S", "sampling steps (default sample.steps)"),
                Option.valued("eta", "E", "DDIM eta (default sample.eta)"),
                Option.valued("guidance", "G", "guidance strength (default guidance.scale)"),
                Option.valued("per-label", "K", "images per label (default sample.per_label)"),
                Option.valued("seed", "X", "noise seed (default 0)"),
                Option.valued("weights", "ema|model", "which weights to sample with (default ema)"),
                Option.valued("master", "M", "Spark master (local[N], spark://..., yarn): sample a DataFrame of conditions"),
                Option.valued("conditions", "FILE", "with --master: Parquet file of conditions (one image per row)"),
                Option.valued("model", "DIR", "with --master: a saved DiffusionModel directory instead of --checkpoint"),
                Option.valued("label-col", "C", "with --master: label column (default label)"),
                Option.valued("embedding-col", "C", "with --master: condition-vector column of a model conditioned on vectors (default embedding)"),
                Option.valued("key-col", "C", "with --master: integer column seeding each row's noise (default: row index)"),
                Option.valued("batch", "B", "with --master: rows per forward batch in a partition (default 16)"),
                Option.flag("raw", "with --master: also write the raw image (array<float>, c*h*w in [-1, 1])"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        if (args.string("model").isPresent()) {
            return sampleSavedModel(args, err);
        }
        String run = args.required("checkpoint");
        String dir = args.required("out");
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("checkpoint", run);
        inputs.put("conditions", args.string("conditions").orElse(null));
        try {
            HadoopFiles.requireNotAnInput("out", dir, inputs);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        String weights = args.string("weights").orElse("ema");
        if (!weights.equals("ema") && !weights.equals("model")) {
            throw new UsageException("option --weights must be ema or model, got '" + weights + "'");
        }
        try {
            Checkpoint cp = TrainingCheckpoint.store(new HadoopStorage(run + "/checkpoints"), Integer.MAX_VALUE)
                    .latest(m -> err.println("skipping checkpoint " + m))
                    .orElseThrow(() -> new IllegalArgumentException(run + "/checkpoints: no valid checkpoint"));
            Config config = StoredConfigs.parse(cp.jsonFiles().get(TrainingCheckpoint.CONFIG), run + "/checkpoints/"
                    + CheckpointStore.directory(cp.step()) + "/" + TrainingCheckpoint.CONFIG,
                    JobConfigs.load("mnist.conf", null, List.of()));
            TrainRecipe recipe = new TrainRecipe(config);
            String sampler = args.string("sampler").orElse(config.getString("sample.sampler"));
            if (!sampler.equals("ddim") && !sampler.equals("ddpm")) {
                throw new UsageException("option --sampler must be ddpm or ddim, got '" + sampler + "'");
            }
            int steps = args.optionalInt("steps").orElse(config.getInt("sample.steps"));
            int perLabel = args.optionalInt("per-label").orElse(config.getInt("sample.per_label"));
            if (steps < 1 || perLabel < 1) {
                throw new UsageException("options --steps and --per-label must be >= 1");
            }
            double eta = args.real("eta", config.getDouble("sample.eta"));
            double guidance = args.real("guidance", config.getDouble("guidance.scale"));
            long seed = args.optionalInt("seed").orElse(0);
            if (args.string("master").isPresent()) {
                return sampleOnSpark(args, cp, recipe, sampler, steps, eta, guidance, seed, weights, out, err);
            }
            if (args.string("conditions").isPresent()) {
                throw new UsageException("option --conditions needs --master (batch sampling on Spark)");
            }
            TrainRecipe.Model model = recipe.build(0);
            ModelWeights.load(model.unet(), model.encoder(), model.guidance(), CheckpointWeights.of(cp, weights));
            List<Sampler> s = Sampling.samplers(recipe, model, SamplerSpec.of(sampler, steps, eta, guidance));
            err.printf("sampling %d per label from %s/checkpoints/step-%d (%s weights), %s %d steps, guidance %.2f%n",
                    perLabel, run, cp.step(), weights, sampler, s.get(0).numSteps(), guidance);
            write(dir, LatentVae.decoder(config).apply(Sampling.generate(model, recipe, s, perLabel, seed, err)), perLabel);
            err.printf("wrote %s/<label>/<index>.png and %s/grid.png%n", dir, dir);
            return OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Batch sampling on Spark: the checkpoint becomes a {@link DiffusionModel} (rebuilt on every partition from the
     * spec and the broadcast weights) that maps the conditions DataFrame to one PNG per row.
     */
    private static int sampleOnSpark(Args args, Checkpoint cp, TrainRecipe recipe, String sampler, int steps, double eta,
                                     double guidance, long seed, String weights, PrintStream out, PrintStream err)
            throws UsageException {
        if (!recipe.config.getString("latent.vae").isEmpty()) {
            throw new UsageException("a latent diffusion run (latent.vae = " + recipe.config.getString("latent.vae")
                    + ") does not sample on Spark yet: leave out --master");
        }
        String conditions = args.required("conditions");
        String target = args.required("out");
        DiffusionModel model = SparkSampling.columns(DiffusionModel.fromCheckpoint(recipe.training(),
                recipe.config.getInt("data.image_size"), cp).setSampler(sampler).setSteps(steps).setEta(eta)
                .setGuidance(guidance).setSeed(seed).setSampleWeights(weights), args);
        return SparkSampling.run(model, args.string("master").get(), conditions, target,
                "checkpoint step " + cp.step(), err);
    }

    /** {@code --model DIR}: batch sampling on Spark with a saved {@link DiffusionModel} and its own sampling params. */
    private static int sampleSavedModel(Args args, PrintStream err) throws UsageException {
        if (args.string("checkpoint").isPresent()) {
            throw new UsageException("options --model and --checkpoint exclude each other: give one model");
        }
        if (args.string("master").isEmpty()) {
            throw new UsageException("option --model needs --master (batch sampling on Spark)");
        }
        String conditions = args.required("conditions");
        String target = args.required("out");
        String dir = args.string("model").get();
        DiffusionModel model = SparkSampling.override(DiffusionModel.load(dir), args);
        return SparkSampling.run(model, args.string("master").get(), conditions, target,
                dir + " (step " + model.step() + ")", err);
    }

    private static void write(String dir, INDArray images, int perLabel) throws IOException {
        HadoopStorage storage = new HadoopStorage(dir);
        for (int i = 0; i < images.size(0); i++) {
            storage.write((i / perLabel) + "/" + (i % perLabel) + ".png",
                    PngImages.png(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))));
        }
        storage.write("grid.png", PngImages.grid(images, perLabel, 2));
    }
}
