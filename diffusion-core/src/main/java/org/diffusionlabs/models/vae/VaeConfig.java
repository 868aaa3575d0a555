package org.diffusionlabs.models.vae;

import org.diffusionlabs.nd.Checks;

import java.util.List;

/**
 * The arguments of the reference's {@code ldm_variational_autoencoder(...)}, validated, with its defaults in
 * {@link #builder()}: channel_multipliers (1, 2, 4, 8), dropout 0, norm_groups 32, norm_eps 1e-6, no alpha channel.
 * Widths that a GroupNorm cannot split into {@code normGroups} are rejected when the network is built, as the
 * reference does.
 *
 * @param embeddingChannels  latent channels (the posterior's mean and log-variance each have this many)
 * @param inChannels         image channels the encoder reads
 * @param outChannels        image channels the decoder writes (plus one with {@code outputAlphaChannel})
 * @param zChannels          channels between the ResNets and the 1×1 quant convs
 * @param channels           base width; level widths are channels·multiplier
 * @param numResBlocks       res blocks per encoder level (the decoder has one more per level)
 * @param channelMultipliers one per resolution level; each level but the last halves (encoder) or doubles (decoder)
 */
public record VaeConfig(int embeddingChannels, int inChannels, int outChannels, int zChannels, int channels,
                        int numResBlocks, List<Integer> channelMultipliers, double dropout, int normGroups,
                        double normEps, boolean outputAlphaChannel) {
    private static final String OWNER = "VaeConfig";

    public VaeConfig {
        Checks.positive(embeddingChannels, OWNER, "embedding_channels");
        Checks.positive(inChannels, OWNER, "in_channels");
        Checks.positive(outChannels, OWNER, "out_channels");
        Checks.positive(zChannels, OWNER, "z_channels");
        Checks.positive(channels, OWNER, "channels");
        Checks.positive(numResBlocks, OWNER, "num_res_blocks");
        Checks.notNull(channelMultipliers, OWNER, "channel_multipliers");
        Checks.require(!channelMultipliers.isEmpty() && channelMultipliers.stream().allMatch(m -> m != null && m > 0),
                OWNER, "channel_multipliers", channelMultipliers, "must be a non-empty list of positive integers");
        channelMultipliers = List.copyOf(channelMultipliers);
        Checks.require(dropout >= 0 && dropout < 1, OWNER, "dropout", dropout, "must be in [0, 1)");
        Checks.positive(normGroups, OWNER, "norm_groups");
        Checks.require(normEps > 0 && Double.isFinite(normEps), OWNER, "norm_eps", normEps, "must be a positive number");
    }

    /** Encoder widths: channels·m for m in (1, multipliers…). */
    long[] encoderWidths() {
        long[] w = new long[channelMultipliers.size() + 1];
        w[0] = channels;
        for (int i = 0; i < channelMultipliers.size(); i++) {
            w[i + 1] = (long) channels * channelMultipliers.get(i);
        }
        return w;
    }

    /** Decoder widths: channels·m for m in reversed(multipliers + (last multiplier,)). */
    long[] decoderWidths() {
        int n = channelMultipliers.size();
        long[] w = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            int m = i == 0 ? channelMultipliers.get(n - 1) : channelMultipliers.get(n - i);
            w[i] = (long) channels * m;
        }
        return w;
    }

    /** The image side divided by this gives the latent side: 2^(levels − 1). */
    public int downscale() {
        return 1 << (channelMultipliers.size() - 1);
    }

    /** Channels of the decoder's output: outChannels, plus one alpha channel when asked for. */
    public int decodedChannels() {
        return outChannels + (outputAlphaChannel ? 1 : 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Required: embedding, in, out, z channels, channels, numResBlocks; optional: the rest (reference defaults). */
    public static final class Builder {
        private int embeddingChannels;
        private int inChannels;
        private int outChannels;
        private int zChannels;
        private int channels;
        private int numResBlocks;
        private List<Integer> channelMultipliers = List.of(1, 2, 4, 8);
        private double dropout = 0.0;
        private int normGroups = 32;
        private double normEps = 1e-6;
        private boolean outputAlphaChannel = false;

        public Builder setEmbeddingChannels(int v) {
            embeddingChannels = v;
            return this;
        }

        public Builder setInChannels(int v) {
            inChannels = v;
            return this;
        }

        public Builder setOutChannels(int v) {
            outChannels = v;
            return this;
        }

        public Builder setZChannels(int v) {
            zChannels = v;
            return this;
        }

        public Builder setChannels(int v) {
            channels = v;
            return this;
        }

        public Builder setNumResBlocks(int v) {
            numResBlocks = v;
            return this;
        }

        public Builder optChannelMultipliers(Integer... v) {
            channelMultipliers = List.of(v);
            return this;
        }

        public Builder optDropout(double v) {
            dropout = v;
            return this;
        }

        public Builder optNormGroups(int v) {
            normGroups = v;
            return this;
        }

        public Builder optNormEps(double v) {
            normEps = v;
            return this;
        }

        public Builder optOutputAlphaChannel(boolean v) {
            outputAlphaChannel = v;
            return this;
        }

        public VaeConfig build() {
            return new VaeConfig(embeddingChannels, inChannels, outChannels, zChannels, channels, numResBlocks,
                    channelMultipliers, dropout, normGroups, normEps, outputAlphaChannel);
        }
    }
}
