package org.diffusionlabs.models.adm;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything that fixes the shape of an ADM U-Net ({@code ADMUNet} constructor arguments of the reference).
 * Zero stands for the reference's {@code None}: {@code dimAttnCond = 0} → no cross-attention tokens,
 * {@code embedDim = 0} → no conditional projections, {@code timeEmbedDim = 0} → no timestep encoder (the caller feeds
 * the residual embedding directly). {@link #admUnet} is the reference's {@code adm_unet} factory.
 *
 * @param channelsPerLayer     channels of each resolution level
 * @param numResize            how many times the resolution halves (must be len(channels) − 1, or 0)
 * @param numResPerLayer       res blocks per level in the encoder (decoder: one more)
 * @param useAttentionForLayer attention after each res block of that level
 * @param dimResCond           width of the time + condition embedding fed to every res block
 * @param dimAttnCond          width of a cross-attention token, 0 for none
 * @param embedDim             width of the conditional input {@code embedName}, 0 for none
 * @param embedName            name of the conditional input (e.g. "digit", "context")
 * @param inChannels           image channels in
 * @param outChannels          channels out (2·in when the variance is predicted)
 * @param timeEmbedDim         width of the sinusoidal timestep embedding, 0 for none
 * @param predictVarianceValue split the output into prediction and variance value (v + 1)/2
 * @param dropout              res-block dropout in training (0.1 in the reference)
 */
public record AdmUNetConfig(int[] channelsPerLayer, int numResize, int numResPerLayer, boolean[] useAttentionForLayer,
                            int dimResCond, int dimAttnCond, int embedDim, String embedName, int inChannels,
                            int outChannels, int timeEmbedDim, boolean predictVarianceValue, double dropout)
        implements Serializable {
    private static final String OWNER = "AdmUNetConfig";
    /** Every GroupNorm of the reference U-Net uses 32 groups. */
    public static final int NORM_GROUPS = 32;

    public AdmUNetConfig {
        Checks.notNull(channelsPerLayer, OWNER, "channelsPerLayer");
        Checks.notNull(useAttentionForLayer, OWNER, "useAttentionForLayer");
        channelsPerLayer = channelsPerLayer.clone();
        useAttentionForLayer = useAttentionForLayer.clone();
        Checks.require(channelsPerLayer.length > 0, OWNER, "channelsPerLayer", channelsPerLayer, "must not be empty");
        Checks.require(channelsPerLayer.length == useAttentionForLayer.length, OWNER, "useAttentionForLayer",
                Arrays.toString(useAttentionForLayer), "needs one flag per layer (" + channelsPerLayer.length + ")");
        Checks.require(numResize >= 0 && channelsPerLayer.length >= numResize, OWNER, "numResize", numResize,
                "must be in [0, " + channelsPerLayer.length + "]");
        Checks.require(numResize == 0 || channelsPerLayer.length == numResize + 1, OWNER, "numResize", numResize,
                "needs len(channelsPerLayer) == numResize + 1 (" + channelsPerLayer.length
                        + " layers given): other combinations cannot wire the skip connections");
        for (int c : channelsPerLayer) {
            Checks.require(c > 0 && c % NORM_GROUPS == 0, OWNER, "channelsPerLayer", channelsPerLayer,
                    "every width must be a positive multiple of " + NORM_GROUPS);
        }
        Checks.require(numResPerLayer >= 1, OWNER, "numResPerLayer", numResPerLayer, "must be >= 1");
        Checks.require(dimResCond > 0, OWNER, "dimResCond", dimResCond, "must be > 0");
        Checks.require(dimAttnCond >= 0 && embedDim >= 0 && timeEmbedDim >= 0, OWNER, "dimAttnCond/embedDim/timeEmbedDim",
                dimAttnCond + "/" + embedDim + "/" + timeEmbedDim, "must be >= 0 (0 = none)");
        // Width 1 is the reference's single zero column (its test_dalle2 builds one); 2 and 3 give NaN there.
        Checks.require(timeEmbedDim <= 1 || timeEmbedDim >= 4, OWNER, "timeEmbedDim", timeEmbedDim,
                "must be 0, 1 or >= 4 (widths 2 and 3 make the sinusoidal embedding NaN)");
        Checks.require(embedDim == 0 || (embedName != null && !embedName.isBlank()), OWNER, "embedName", embedName,
                "must be a non-empty name when embedDim > 0");
        Checks.require(inChannels > 0 && outChannels > 0, OWNER, "inChannels/outChannels", inChannels + "/" + outChannels,
                "must be > 0");
        Checks.require(!predictVarianceValue || outChannels == 2 * inChannels, OWNER, "outChannels", outChannels,
                "must be 2 × inChannels (" + 2 * inChannels + ") when the variance value is predicted");
        Checks.require(dropout >= 0 && dropout < 1, OWNER, "dropout", dropout, "must be in [0, 1)");
    }

    /**
     * The reference's {@code adm_unet(...)}: channels depth·(i+1) for i = 0..numResize, attention everywhere but the
     * first level, dim_res_cond = dim_attn_cond = condEmbedDim, variance head doubling the output channels.
     */
    public static AdmUNetConfig admUnet(int timeEmbedDim, int condEmbedDim, int embedDim, String embedName,
                                        boolean predictVarianceValue, int imageChannels, int depth, int numResize,
                                        int numResPerLayer) {
        Checks.require(numResize >= 0, OWNER, "num_resize", numResize, "must be >= 0");
        Checks.require(depth > 0, OWNER, "depth", depth, "must be > 0");
        int[] channels = new int[numResize + 1];
        boolean[] attention = new boolean[numResize + 1];
        for (int i = 0; i <= numResize; i++) {
            channels[i] = depth * (i + 1);
            attention[i] = i > 0;
        }
        return new AdmUNetConfig(channels, numResize, numResPerLayer, attention, condEmbedDim, condEmbedDim, embedDim,
                embedName, imageChannels, imageChannels * (predictVarianceValue ? 2 : 1), timeEmbedDim,
                predictVarianceValue, 0.1);
    }

    /** The reference defaults of {@code adm_unet()} (the 2.2 B-parameter Dalle2 decoder U-Net). */
    public static AdmUNetConfig admUnetDefaults() {
        return admUnet(512, 2048, 768, "context", true, 4, 512, 3, 3);
    }

    public AdmUNetConfig withDropout(double newDropout) {
        return new AdmUNetConfig(channelsPerLayer, numResize, numResPerLayer, useAttentionForLayer, dimResCond,
                dimAttnCond, embedDim, embedName, inChannels, outChannels, timeEmbedDim, predictVarianceValue, newDropout);
    }

    @Override
    public int[] channelsPerLayer() {
        return channelsPerLayer.clone();
    }

    @Override
    public boolean[] useAttentionForLayer() {
        return useAttentionForLayer.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdmUNetConfig c && Arrays.equals(c.channelsPerLayer, channelsPerLayer)
                && c.numResize == numResize && c.numResPerLayer == numResPerLayer
                && Arrays.equals(c.useAttentionForLayer, useAttentionForLayer) && c.dimResCond == dimResCond
                && c.dimAttnCond == dimAttnCond && c.embedDim == embedDim && java.util.Objects.equals(c.embedName, embedName)
                && c.inChannels == inChannels && c.outChannels == outChannels && c.timeEmbedDim == timeEmbedDim
                && c.predictVarianceValue == predictVarianceValue && c.dropout == dropout;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(Arrays.hashCode(channelsPerLayer), numResize, numResPerLayer,
                Arrays.hashCode(useAttentionForLayer), dimResCond, dimAttnCond, embedDim, embedName, inChannels,
                outChannels, timeEmbedDim, predictVarianceValue, dropout);
    }

    @Override
    public String toString() {
        return "AdmUNetConfig[channels=" + Arrays.toString(channelsPerLayer) + ", numResize=" + numResize
                + ", numResPerLayer=" + numResPerLayer + ", attention=" + Arrays.toString(useAttentionForLayer)
                + ", dimResCond=" + dimResCond + ", dimAttnCond=" + dimAttnCond + ", embedDim=" + embedDim
                + ", embedName=" + embedName + ", in=" + inChannels + ", out=" + outChannels + ", timeEmbedDim="
                + timeEmbedDim + ", predictVarianceValue=" + predictVarianceValue + ", dropout=" + dropout + "]";
    }
}
