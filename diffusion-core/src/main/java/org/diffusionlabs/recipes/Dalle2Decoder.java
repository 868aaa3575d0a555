package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.samplers.DdpmSampler;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.TrainingGraph;

/**
 * The DALL·E 2 (unCLIP, Ramesh et al. 2022) image decoder as the reference's {@code dalle2_decoder(...)} assembles it
 * ({@code models/dalle2/dalle2_decoder.py}, spec §10), from our existing parts: an {@link AdmUNet} conditioned on the
 * CLIP image embedding, {@link ClassifierFreeGuidance} with a learned null embedding around it, the cosine schedule,
 * an ε {@link Predictor} clamping x0 to [−1, 1], and a {@link DdpmSampler} over {@code timesteps // 4} eval steps
 * with the learned variance. {@link #sampler()} samples it; {@link #trainingGraph()} and {@link #modelSpec()} hand it
 * to the trainers. Built by {@link AdmRecipes#dalle2Decoder}.
 *
 * @param config    the arguments it was built from
 * @param unet      the U-Net (its parameters are shared by every view of the decoder)
 * @param guidance  the guidance adapter around {@code unet}, or null when {@code useCfGuidance} is false
 * @param schedule  the training schedule (cosine, {@code timesteps} steps)
 * @param predictor ε prediction, x0 clamped to [−1, 1]
 * @param sampler   DDPM over the eval steps, guidance {@code guidanceStrength}
 */
public record Dalle2Decoder(Dalle2DecoderConfig config, AdmUNet unet, ClassifierFreeGuidance guidance,
                            DiscreteGaussianSchedule schedule, Predictor predictor, DdpmSampler sampler) {
    /** The hybrid loss's VLB weight: the reference's {@code DiffusionHybridLoss} default. */
    public static final double VLB_WEIGHT = 0.001;
    private static final String OWNER = "Dalle2Decoder";

    public Dalle2Decoder {
        Checks.notNull(config, OWNER, "config");
        Checks.notNull(unet, OWNER, "unet");
        Checks.notNull(schedule, OWNER, "schedule");
        Checks.notNull(predictor, OWNER, "predictor");
        Checks.notNull(sampler, OWNER, "sampler");
        Checks.require(config.useCfGuidance() == (guidance != null), OWNER, "guidance", guidance,
                "must be present exactly when useCfGuidance is true");
    }

    /** What the sampler calls: the guidance adapter, or the bare U-Net without guidance. */
    public DenoisingModel model() {
        return guidance == null ? unet : guidance;
    }

    /**
     * The training graph over this decoder's parameters (and learned null embedding): ε regression, plus
     * {@link #VLB_WEIGHT}·VLB for the learned variance (the reference leaves the loss to its caller; its hybrid loss
     * is the one that trains a variance head).
     */
    public TrainingGraph trainingGraph() {
        TrainingGraph.Loss loss = config.predictVarianceValue() ? TrainingGraph.Loss.HYBRID : TrainingGraph.Loss.MSE;
        return TrainingGraph.build(unet, guidance, null, loss, PredictionType.NOISE, unet.config().dropout(),
                VLB_WEIGHT);
    }

    /**
     * The same model as a {@link ModelSpec} conditioned on given vectors (the CLIP embedding column), for the
     * single-machine and Spark trainers: {@code ModelSpec.build(seed)} draws the same initial weights as
     * {@code create(config, new Rng(seed))}.
     *
     * @throws IllegalStateException when the decoder has no guidance or a frozen null embedding, which a
     *                               {@link ModelSpec} (always a learned null embedding) cannot express
     */
    public ModelSpec modelSpec() {
        if (!config.useCfGuidance() || !config.learnNullEmb()) {
            throw new IllegalStateException("Dalle2Decoder parameter useCfGuidance/learnNullEmb given invalid value "
                    + config.useCfGuidance() + "/" + config.learnNullEmb()
                    + ": a ModelSpec always trains a learned null embedding (both must be true)");
        }
        TrainingGraph.Loss loss = config.predictVarianceValue() ? TrainingGraph.Loss.HYBRID : TrainingGraph.Loss.MSE;
        return new ModelSpec(config.unet(), BetaScheduleKind.COSINE, config.timesteps(), PredictionType.NOISE, loss,
                VLB_WEIGHT, config.clipImageGuidanceDropout(), config.guidanceStrength(), 0);
    }
}
