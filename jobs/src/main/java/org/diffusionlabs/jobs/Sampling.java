package org.diffusionlabs.jobs;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.recipes.SamplerSpec;
import org.diffusionlabs.samplers.RowShardSampler;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.samplers.StepListener;
import org.diffusionlabs.samplers.StepNoise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sampling images of every label from a built {@link TrainRecipe.Model}: the samplers over it (as a {@link SamplerSpec}
 * builds them) and the per-label generation that {@code diffusion sample} and the training previews share.
 */
final class Sampling {
    private Sampling() {}

    /**
     * The samplers {@link #generate} runs side by side: one over the model, and on a machine with two or more cores a
     * second over a replica of its U-Net (same weights, its own engine): two single-threaded streams are the fastest
     * layout on few cores (docs/performance.md).
     */
    static List<Sampler> samplers(TrainRecipe recipe, TrainRecipe.Model model, SamplerSpec spec) {
        List<Sampler> all = new ArrayList<>();
        all.add(spec.build(model.guidance(), recipe.schedule, recipe.predictor()));
        if (Runtime.getRuntime().availableProcessors() >= 2) {
            org.diffusionlabs.models.adm.AdmUNet unet = model.unet().replica();
            all.add(spec.build(model.guidance().withModel(unet), recipe.schedule, recipe.predictor()));
        }
        return all;
    }

    /**
     * Samples per label from noise of a generator seeded with {@code seed} (its own, so callers' generators are
     * untouched): the noise of every label is drawn first, label by label, then all labels are sampled as one
     * batch, its rows shared out over {@code samplers} ({@link RowShardSampler}); returns [classes·K, c, h, w]
     * ordered label by label. Progress goes to {@code err} unless null.
     */
    static INDArray generate(TrainRecipe.Model model, TrainRecipe recipe, List<Sampler> samplers, int perLabel, long seed,
                             PrintStream err) {
        int size = recipe.config.getInt("data.image_size");
        Rng rng = new Rng(seed);
        int n = TrainRecipe.CLASSES * perLabel;
        int[] labels = new int[n];
        List<INDArray> noise = new ArrayList<>();
        for (int label = 0; label < TrainRecipe.CLASSES; label++) {
            java.util.Arrays.fill(labels, label * perLabel, (label + 1) * perLabel, label);
            noise.add(rng.randn(perLabel, recipe.unet.inChannels(), size, size));
        }
        INDArray xT = Nd4j.concat(0, noise.toArray(new INDArray[0]));
        Conditioning c = Conditioning.of(recipe.unet.embedName(), model.encoder().embed(labels));
        StepListener progress = (done, total) -> {
            if (err != null && (done == total || done % 10 == 0)) {
                err.printf("\rstep %d/%d", done, total);
            }
        };
        INDArray images;
        if (samplers.size() > 1 && n >= samplers.size()) {
            try (RowShardSampler shards = new RowShardSampler(samplers)) {
                images = shards.sample(xT, c, StepNoise.from(rng), progress);
            }
        } else {
            images = samplers.get(0).sample(xT, c, StepNoise.from(rng), progress);
        }
        if (err != null) {
            err.println();
        }
        return images;
    }
}
