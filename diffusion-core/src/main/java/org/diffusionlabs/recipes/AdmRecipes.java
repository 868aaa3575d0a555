package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.samplers.DdpmSampler;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

/** The reference's named ADM models, built from our parts (composition roots). */
public final class AdmRecipes {
    private static final String OWNER = "AdmRecipes";

    private AdmRecipes() {}

    /** {@link #dalle2Decoder(Dalle2DecoderConfig, Rng)} with every reference default (2.2 B parameters). */
    public static Dalle2Decoder dalle2Decoder(Rng rng) {
        return dalle2Decoder(Dalle2DecoderConfig.builder().build(), rng);
    }

    /**
     * The reference's {@code dalle2_decoder(...)}: draws the U-Net's parameters from {@code rng} in the reference's
     * construction order, then (with guidance and a learned null embedding) the U[0,1) null embedding, so the same
     * seed gives PyTorch's initial weights; then the cosine schedule, the clamping ε predictor and the DDPM sampler
     * over {@code timesteps // 4} eval steps (none of which draws).
     */
    public static Dalle2Decoder dalle2Decoder(Dalle2DecoderConfig config, Rng rng) {
        Checks.notNull(config, OWNER, "config");
        Checks.notNull(rng, OWNER, "rng");
        AdmUNet unet = AdmUNet.create(config.unet(), rng);
        ClassifierFreeGuidance guidance = !config.useCfGuidance() ? null
                : ClassifierFreeGuidance.builder(unet).addCondition(config.clipEmbedName(), config.clipEmbedDim())
                        .optP(config.clipImageGuidanceDropout()).optGuidance(config.guidanceStrength())
                        .optLearnNullEmbedding(config.learnNullEmb()).optInitRng(rng).build();
        DiscreteGaussianSchedule schedule = config.schedule();
        Predictor predictor = PredictionType.NOISE.create(schedule, Predictor.clampTo(-1, 1));
        DdpmSampler sampler = new DdpmSampler(guidance == null ? unet : guidance, schedule, predictor,
                config.evalSteps());
        return new Dalle2Decoder(config, unet, guidance, schedule, predictor, sampler);
    }
}
