package org.diffusionlabs.spark;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.ModelWeights;
import org.diffusionlabs.recipes.SamplerSpec;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.samplers.StepListener;
import org.diffusionlabs.samplers.StepNoise;
import org.diffusionlabs.training.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The sampling side of one partition: the model rebuilt once from a {@link ModelSpec} and a {@link WeightSnapshot}
 * (state-dict names, no prefix), so its inference graph is built once and reused for every batch. Each image's noise
 * (x_T and every step's noise) comes from its own {@code Rng(Seeds.sample(seed, key))}, so an image depends only on
 * its condition (label or vector), its key and the settings — not on which rows share its batch or partition, nor on the task attempt.
 */
public final class PartitionSampler {
    private final ModelSpec spec;
    private final ModelSpec.Model model;
    private final Sampler sampler;
    private final SamplingSettings s;

    /** {@code buildSeed}: the training seed, so arrays that do not train (fixed null embeddings) match training's. */
    public PartitionSampler(ModelSpec spec, long buildSeed, WeightSnapshot weights, SamplingSettings settings) {
        TaskThreads.apply();
        this.spec = spec;
        this.s = settings;
        this.model = spec.build(buildSeed);
        ModelWeights.load(model, weights.tensors(""));
        Predictor predictor = spec.prediction().create(spec.schedule(), Predictor.clampTo(-1, 1));
        this.sampler = SamplerSpec.of(settings.sampler, settings.steps, settings.eta, settings.guidance)
                .build(model.guidance(), spec.schedule(), predictor);
    }

    public int channels() {
        return spec.unet().inChannels();
    }

    /**
     * Images for {@code labels[i]} with noise keyed by {@code keys[i]}: [n, c, size, size] in [−1, 1] (clamped by
     * the predictor's x0 clamp only; values are as the sampler returns them).
     */
    public INDArray sample(int[] labels, long[] keys) {
        if (!spec.labelConditioned()) {
            throw new IllegalArgumentException("DiffusionModel: the model is conditioned on vectors of "
                    + spec.unet().embedDim() + " values, not on labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= spec.classes()) {
                throw new IllegalArgumentException("DiffusionModel: label " + labels[i] + " (row key " + keys[i]
                        + ") must be in [0, " + spec.classes() + ")");
            }
        }
        return sampleWith(model.encoder().embed(labels), keys);
    }

    /**
     * Images for the condition vectors {@code embeddings[i]} ([n, embedDim]) of a model conditioned on vectors,
     * with noise keyed by {@code keys[i]}.
     */
    public INDArray sample(INDArray embeddings, long[] keys) {
        long dim = spec.unet().embedDim();
        if (spec.labelConditioned() || embeddings.rank() != 2 || embeddings.size(1) != dim
                || embeddings.size(0) != keys.length) {
            throw new IllegalArgumentException("DiffusionModel: condition vectors of shape "
                    + Arrays.toString(embeddings.shape()) + (spec.labelConditioned()
                    ? " given to a model conditioned on labels" : " must be [" + keys.length + ", " + dim + "]"));
        }
        return sampleWith(embeddings.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT), keys);
    }

    private INDArray sampleWith(INDArray embeddings, long[] keys) {
        int n = keys.length;
        int c = channels();
        int size = s.imageSize;
        Rng[] rngs = new Rng[n];
        INDArray[] x = new INDArray[n];
        for (int i = 0; i < n; i++) {
            rngs[i] = new Rng(Seeds.sample(s.seed, keys[i]));
            x[i] = rngs[i].randn(1, c, size, size);
        }
        INDArray xT = Nd4j.concat(0, x);
        StepNoise noise = like -> {
            if (like.size(0) != n) {
                throw new IllegalStateException("sampler asked for noise of shape " + Arrays.toString(like.shape())
                        + " for a batch of " + n);
            }
            long[] row = like.shape().clone();
            row[0] = 1;
            INDArray[] parts = new INDArray[n];
            for (int i = 0; i < n; i++) {
                parts[i] = rngs[i].randn(row);
            }
            return Nd4j.concat(0, parts).castTo(like.dataType());
        };
        Conditioning cond = Conditioning.of(spec.unet().embedName(), embeddings);
        return sampler.sample(xT, cond, noise, StepListener.NONE);
    }
}
