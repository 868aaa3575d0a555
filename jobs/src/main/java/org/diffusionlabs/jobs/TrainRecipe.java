package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.Normalize;
import org.diffusionlabs.data.Resize;
import org.diffusionlabs.io.Redaction;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.recipes.ModelSpec;
import org.diffusionlabs.recipes.OptimizerSpec;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A resolved job configuration turned into the objects of a run: the U-Net of {@code model.*}, classifier-free
 * guidance over its label embedding, the schedule, what the network predicts (and so the predictor that samples
 * it), loss and optimiser settings, and the training images of {@link DataSource} (resized and mapped to [−1, 1],
 * held-out share removed). Every value is read here, so a bad one fails before training starts,
 * with the key named.
 */
final class TrainRecipe {
    static final int CLASSES = 10;
    final Config config;
    final AdmUNetConfig unet;
    final DiscreteGaussianSchedule schedule;
    final PredictionType prediction;
    final TrainingGraph.Loss loss;
    final DataSource data;
    /** The model as plain values (what Spark executors rebuild it from). */
    final ModelSpec spec;
    /** Micro-batches of train.batch per optimiser step (train.grad_accum). */
    final int gradAccum;
    /** Micro-batches run at once on graph replicas (train.threads, <= grad_accum). */
    final int threads;

    /** The trained objects of a run. */
    record Model(AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder) {}

    TrainRecipe(Config config) {
        this.config = config;
        try {
            this.unet = AdmUNetConfig.admUnet(config.getInt("model.time_embed_dim"), config.getInt("model.cond_embed_dim"),
                    config.getInt("model.embed_dim"), config.getString("model.embed_name"),
                    config.getBoolean("model.predict_variance_value"), config.getInt("model.image_channels"),
                    config.getInt("model.depth"), config.getInt("model.num_resize"), config.getInt("model.num_res_per_layer"))
                    .withDropout(config.getDouble("model.dropout"));
            this.schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.parse(config.getString("diffusion.beta")),
                    config.getInt("diffusion.steps"));
            this.prediction = prediction(config.getString("diffusion.prediction"));
            this.loss = switch (config.getString("diffusion.loss")) {
                case "mse" -> TrainingGraph.Loss.MSE;
                case "hybrid" -> TrainingGraph.Loss.HYBRID;
                default -> throw new IllegalArgumentException("diffusion.loss must be mse or hybrid, got "
                        + config.getString("diffusion.loss"));
            };
            this.spec = new ModelSpec(unet, BetaScheduleKind.parse(config.getString("diffusion.beta")),
                    config.getInt("diffusion.steps"), prediction, loss, config.getDouble("diffusion.vlb_weight"),
                    config.getDouble("guidance.p"), config.getDouble("guidance.scale"), CLASSES);
            OptimizerSpec.Kind.parse(config.getString("optimizer.kind"));
            this.data = new DataSource(config, unet.inChannels());
            positive("train.batch");
            positive("train.grad_accum");
            this.gradAccum = config.getInt("train.grad_accum");
            positive("train.threads");
            this.threads = config.getInt("train.threads");
            if (threads > gradAccum) {
                throw new IllegalArgumentException("configuration key train.threads (" + threads + ") must be <= "
                        + "train.grad_accum (" + gradAccum + "): the threads run a step's micro-batches at once");
            }
            positive("train.max_steps");
            positive("train.keep_last");
            if (config.getLong("train.sample_every") < 0) {
                throw new IllegalArgumentException("configuration key train.sample_every must be >= 0 (0 = never), got "
                        + config.getLong("train.sample_every"));
            }
            positive("train.sample_per_label");
            positive("train.sample_steps");
            positive("sample.steps");
            if (config.getInt("spark.partitions") < 0) {
                throw new IllegalArgumentException("configuration key spark.partitions must be >= 0 (0 = the master's "
                        + "parallelism), got " + config.getInt("spark.partitions"));
            }
            positive("spark.averaging_frequency");
            double heldOut = config.getDouble("data.held_out_fraction");
            if (!(heldOut > 0 && heldOut < 1)) {
                throw new IllegalArgumentException("configuration key data.held_out_fraction must be in (0, 1) (the "
                        + "share of each digit kept aside), got " + heldOut);
            }
            config.getLong("data.split_seed");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration: " + e.getMessage(), e);
        }
    }

    /**
     * The recipe of a configuration the user gave ({@code --config}, {@code --set}): any bad value is a
     * {@link ConfigurationException} (exit code 2). A configuration read back from a checkpoint goes through the
     * constructor instead, where a bad value is corrupt data.
     */
    static TrainRecipe ofUserConfig(Config config) {
        try {
            return new TrainRecipe(config);
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.of(e);
        }
    }

    private static PredictionType prediction(String value) {
        return switch (value) {
            case "noise" -> PredictionType.NOISE;
            case "target" -> PredictionType.TARGET;
            case "v" -> PredictionType.V;
            default -> throw new IllegalArgumentException("configuration key diffusion.prediction must be noise, target or v, got '"
                    + value + "'");
        };
    }

    /**
     * The predictor matching diffusion.prediction over the training schedule, for samplers: clamping x0 to [−1, 1]
     * in pixel space; latents (latent.vae set) are unbounded, so never clamped there.
     */
    Predictor predictor() {
        boolean latent = !config.getString("latent.vae").isEmpty();
        return prediction.create(schedule, latent ? Predictor.noClamp() : Predictor.clampTo(-1, 1));
    }

    private void positive(String key) {
        if (config.getLong(key) <= 0) {
            throw new IllegalArgumentException("configuration key " + key + " must be > 0, got " + config.getLong(key));
        }
    }

    /**
     * The resolved configuration as JSON (saved with every run and checkpoint), its secrets masked
     * ({@link Redaction#jsonText}: credentials in URIs such as {@code data.source}, secret-named keys).
     */
    String json() {
        return Redaction.jsonText(config.root().render(ConfigRenderOptions.concise().setFormatted(true)));
    }

    /** A fresh model from a seed (U-Net, then guidance null embedding, then label encoder, as the tutorial builds them). */
    Model build(long seed) {
        ModelSpec.Model m = spec.build(seed);
        return new Model(m.unet(), m.guidance(), m.encoder());
    }

    /** The optimiser of optimizer.* (optimizer.kind = adamw or sgd) with the clip of optimizer.clip_norm. */
    OptimizerSpec optimizer() {
        return new OptimizerSpec(OptimizerSpec.Kind.parse(config.getString("optimizer.kind")),
                config.getDouble("optimizer.beta1"), config.getDouble("optimizer.beta2"), config.getDouble("optimizer.eps"),
                config.getDouble("optimizer.weight_decay"), config.getDouble("optimizer.clip_norm"));
    }

    /** The whole run as plain values (model, optimiser, learning rate, EMA, batch, accumulation, seed, threads). */
    TrainingSpec training() {
        return new TrainingSpec(spec, optimizer(), learningRate(),
                new TrainingSpec.EmaSpec(config.getDouble("ema.decay"), config.getBoolean("ema.warmup")),
                config.getInt("train.batch"), gradAccum, config.getLong("train.seed"), threads);
    }

    /** The learning-rate schedule over train.max_steps; the warm-up is capped below max_steps for short runs. */
    LearningRateSchedule learningRate() {
        long warmup = Math.min(config.getLong("optimizer.warmup_steps"), config.getLong("train.max_steps") - 1);
        return new LearningRateSchedule(config.getDouble("optimizer.lr"), warmup,
                LearningRateSchedule.Decay.parse(config.getString("optimizer.decay")), config.getLong("train.max_steps"),
                config.getDouble("optimizer.min_factor"));
    }

    /**
     * The training images: loaded by {@link DataSource}, checked against the model (channels, classes), held-out
     * share removed (stratified, seeded), resized, mapped to [−1, 1]; with the load's description and skipped images.
     */
    DataSource.Loaded trainingData() {
        DataSource.Loaded loaded = load(data);
        return loaded.withData(prepare(loaded, config, unet.inChannels()).train());
    }

    /** Reads the images of {@code source} (I/O errors unchecked). */
    static DataSource.Loaded load(DataSource source) {
        try {
            return source.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The loaded images checked against a model of {@code channels} channels and {@link #CLASSES} classes, split
     * into training and held-out shares (data.held_out_fraction, stratified, seeded by data.split_seed), both
     * resized to data.image_size and mapped to [−1, 1].
     */
    static LabeledImages.Split prepare(DataSource.Loaded loaded, Config config, int channels) {
        LabeledImages all = loaded.data();
        INDArray images = all.images();
        if (images.size(1) != channels) {
            if (!(config.getBoolean("data.convert_channels") && images.size(1) == 1 && channels == 3)) {
                throw new IllegalArgumentException(loaded.description() + " has " + images.size(1) + " channel(s) but "
                        + "model.image_channels = " + channels
                        + (images.size(1) == 1 ? " (set data.convert_channels = true to replicate grey)" : ""));
            }
            all = new LabeledImages(images.repeat(1, 3), all.labels());
        }
        int maxLabel = Arrays.stream(all.labels()).max().orElse(0);
        if (maxLabel >= CLASSES) {
            throw new IllegalArgumentException(loaded.description() + " has label " + maxLabel + " but the model has "
                    + CLASSES + " classes (labels 0.." + (CLASSES - 1) + ")");
        }
        int size = config.getInt("data.image_size");
        LabeledImages.Split split = all.split(config.getDouble("data.held_out_fraction"), config.getLong("data.split_seed"));
        return new LabeledImages.Split(signed(split.train(), size), signed(split.heldOut(), size));
    }

    private static LabeledImages signed(LabeledImages part, int size) {
        INDArray x = part.images();
        if (x.size(2) != size || x.size(3) != size) {
            x = Resize.bilinear(x, size);
        }
        return new LabeledImages(Normalize.toSigned(x), part.labels());
    }
}
