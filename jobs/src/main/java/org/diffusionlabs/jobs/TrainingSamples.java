package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.data.PngImages;
import org.diffusionlabs.recipes.ModelWeights;
import org.diffusionlabs.recipes.SamplerSpec;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.spark.HadoopStorage;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sample grids written while training, {@code RUN/samples/step-<N>.png} every {@code train.sample_every} steps: DDIM
 * with {@code train.sample_steps} steps and {@code sample.eta}, guidance {@code guidance.scale}, a row of
 * {@code train.sample_per_label} images per label, from the current EMA weights. Training is not disturbed: the
 * weights are copied into a separate model (built on first use, reused after), and the noise comes from a generator
 * of its own, seeded with {@code train.seed} afresh for every grid, so all grids of a run start from the same noise
 * and show only what training changed.
 */
final class TrainingSamples {
    private final TrainRecipe recipe;
    private final HadoopStorage runDir;
    private final long every;
    private final int perLabel;
    private final long seed;
    private TrainRecipe.Model model;
    private List<Sampler> samplers;
    private java.util.function.UnaryOperator<INDArray> decode;

    TrainingSamples(TrainRecipe recipe, HadoopStorage runDir) {
        this.recipe = recipe;
        this.runDir = runDir;
        this.every = recipe.config.getLong("train.sample_every");
        this.perLabel = recipe.config.getInt("train.sample_per_label");
        this.seed = recipe.config.getLong("train.seed");
    }

    /** Whether a grid is due after {@code step} (never when train.sample_every is 0). */
    boolean due(long step) {
        return every > 0 && step % every == 0;
    }

    /** Whether grids are written at all; the end of training gets one then. */
    boolean enabled() {
        return every > 0;
    }

    /** The grid's path in the run directory. */
    static String path(long step) {
        return "samples/step-" + step + ".png";
    }

    /** Whether the grid of {@code step} exists already (a resumed run that has nothing left to train). */
    boolean written(long step) throws IOException {
        return runDir.exists(path(step));
    }

    /** Samples from the EMA weights of the training graph after {@code step} and writes the grid; returns its path. */
    String write(long step, TrainingGraph graph, Ema ema) throws IOException {
        if (model == null) {
            model = recipe.build(seed);
            samplers = Sampling.samplers(recipe, model, new SamplerSpec(SamplerSpec.Kind.DDIM,
                    recipe.config.getInt("train.sample_steps"), recipe.config.getDouble("sample.eta"),
                    recipe.config.getDouble("guidance.scale")));
            decode = LatentVae.decoder(recipe.config);
        }
        ModelWeights.load(model.unet(), model.encoder(), model.guidance(), emaWeights(graph, ema));
        INDArray images = decode.apply(Sampling.generate(model, recipe, samplers, perLabel, seed, null));
        samplers.forEach(Sampler::releaseMemory); // training resumes: the samplers' intermediates are not kept until the next grid
        runDir.write(path(step), PngImages.grid(images, perLabel, 2)); // atomically: never a partial grid
        return path(step);
    }

    /** The training weights by state-dict name with the EMA over every averaged one (U-Net, labels, null embedding). */
    private static Map<String, INDArray> emaWeights(TrainingGraph graph, Ema ema) {
        Map<String, INDArray> all = new LinkedHashMap<>(graph.unet().parameters().asMap());
        all.put(LabelEmbedding.NAME, graph.encoder().table());
        all.putAll(graph.guidance().stateDict());
        all.putAll(ema.weights());
        return all;
    }
}
