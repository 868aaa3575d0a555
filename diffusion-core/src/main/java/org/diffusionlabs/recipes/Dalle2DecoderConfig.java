package org.diffusionlabs.recipes;

import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.samplers.EvalSteps;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

import java.io.Serializable;

/**
 * The arguments of the reference's {@code dalle2_decoder(...)} ({@code models/dalle2/dalle2_decoder.py}, spec §10):
 * the DALL·E 2 (unCLIP) image decoder, an ADM U-Net conditioned on CLIP image embeddings. Build one with
 * {@link #builder()}, whose defaults are the reference's (a 2.2 B-parameter model); everything is validated here,
 * before any parameter is drawn.
 *
 * <p>Where we differ: {@code timesteps} must be 2, 3 or at least 8. Our schedule needs two steps (a one-step schedule
 * has no posterior variance, spec §2.2), and {@code timesteps // 4} eval steps must not be exactly one (timesteps 4–7:
 * the reference builds that decoder but fails when sampling; here the DDPM sampler refuses it at construction).
 *
 * @param timesteps                diffusion steps T of the cosine schedule
 * @param timeEmbedDim             width of the sinusoidal timestep embedding
 * @param condEmbedDim             width of the residual embedding and of the cross-attention tokens
 * @param clipEmbedDim             width of the CLIP image embedding the decoder is conditioned on
 * @param clipEmbedName            name of that conditional input
 * @param predictVarianceValue     learned variance: the U-Net emits 2·imageChannels channels
 * @param imageChannels            image channels
 * @param depth                    U-Net width of the first level (level i has depth·(i+1) channels)
 * @param numResize                how many times the resolution halves
 * @param numResPerLayer           res blocks per level
 * @param useCfGuidance            wrap the U-Net in classifier-free guidance on the CLIP embedding
 * @param clipImageGuidanceDropout probability of replacing the CLIP embedding by the null embedding in training
 * @param guidanceStrength         guidance g when sampling: {@code (1 + g)·cond − g·uncond}
 * @param learnNullEmb             learned null embedding (U[0,1) init, trained) or zeros (frozen)
 */
public record Dalle2DecoderConfig(int timesteps, int timeEmbedDim, int condEmbedDim, int clipEmbedDim,
                                  String clipEmbedName, boolean predictVarianceValue, int imageChannels, int depth,
                                  int numResize, int numResPerLayer, boolean useCfGuidance,
                                  double clipImageGuidanceDropout, double guidanceStrength, boolean learnNullEmb)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "Dalle2DecoderConfig";

    public Dalle2DecoderConfig {
        Checks.require(timesteps >= 2, OWNER, "timesteps", timesteps,
                "must be >= 2 (a one-step schedule has no posterior variance)");
        Checks.require(timesteps / 4 != 1, OWNER, "timesteps", timesteps,
                "must not be 4..7: timesteps // 4 = 1 eval step has no respaced posterior (use 2, 3 or >= 8)");
        Checks.require(clipImageGuidanceDropout >= 0 && clipImageGuidanceDropout <= 1, OWNER,
                "clipImageGuidanceDropout", clipImageGuidanceDropout, "must be in [0, 1]");
        Checks.finite(guidanceStrength, OWNER, "guidanceStrength");
        AdmUNetConfig.admUnet(timeEmbedDim, condEmbedDim, clipEmbedDim, clipEmbedName, predictVarianceValue,
                imageChannels, depth, numResize, numResPerLayer);
    }

    /** A builder holding the reference defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The U-Net: the reference's {@code adm_unet} on the CLIP embedding (res-block dropout 0.1). */
    public AdmUNetConfig unet() {
        return AdmUNetConfig.admUnet(timeEmbedDim, condEmbedDim, clipEmbedDim, clipEmbedName, predictVarianceValue,
                imageChannels, depth, numResize, numResPerLayer);
    }

    /** {@code DiscreteGaussianSchedule(cosine_beta_schedule(timesteps))}. */
    public DiscreteGaussianSchedule schedule() {
        return DiscreteGaussianSchedule.of(BetaScheduleKind.COSINE, timesteps);
    }

    /** {@code torch.linspace(0, timesteps - 1, timesteps // 4, dtype=torch.int)}: 250 of 1000 by default. */
    public EvalSteps evalSteps() {
        return EvalSteps.linspace(timesteps, timesteps / 4);
    }

    /** Builder with the reference defaults; {@link #build()} validates. */
    public static final class Builder {
        private int timesteps = 1000;
        private int timeEmbedDim = 512;
        private int condEmbedDim = 2048;
        private int clipEmbedDim = 768;
        private String clipEmbedName = "clip_image";
        private boolean predictVarianceValue = true;
        private int imageChannels = 4;
        private int depth = 512;
        private int numResize = 3;
        private int numResPerLayer = 3;
        private boolean useCfGuidance = true;
        private double clipImageGuidanceDropout = 0.1;
        private double guidanceStrength = 7.0;
        private boolean learnNullEmb = true;

        private Builder() {}

        public Builder optTimesteps(int v) {
            timesteps = v;
            return this;
        }

        public Builder optTimeEmbedDim(int v) {
            timeEmbedDim = v;
            return this;
        }

        public Builder optCondEmbedDim(int v) {
            condEmbedDim = v;
            return this;
        }

        public Builder optClipEmbedDim(int v) {
            clipEmbedDim = v;
            return this;
        }

        public Builder optClipEmbedName(String v) {
            clipEmbedName = v;
            return this;
        }

        public Builder optPredictVarianceValue(boolean v) {
            predictVarianceValue = v;
            return this;
        }

        public Builder optImageChannels(int v) {
            imageChannels = v;
            return this;
        }

        public Builder optDepth(int v) {
            depth = v;
            return this;
        }

        public Builder optNumResize(int v) {
            numResize = v;
            return this;
        }

        public Builder optNumResPerLayer(int v) {
            numResPerLayer = v;
            return this;
        }

        public Builder optUseCfGuidance(boolean v) {
            useCfGuidance = v;
            return this;
        }

        public Builder optClipImageGuidanceDropout(double v) {
            clipImageGuidanceDropout = v;
            return this;
        }

        public Builder optGuidanceStrength(double v) {
            guidanceStrength = v;
            return this;
        }

        public Builder optLearnNullEmb(boolean v) {
            learnNullEmb = v;
            return this;
        }

        public Dalle2DecoderConfig build() {
            return new Dalle2DecoderConfig(timesteps, timeEmbedDim, condEmbedDim, clipEmbedDim, clipEmbedName,
                    predictVarianceValue, imageChannels, depth, numResize, numResPerLayer, useCfGuidance,
                    clipImageGuidanceDropout, guidanceStrength, learnNullEmb);
        }
    }
}
