package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * ADM attention block: multi-head self-attention over the H·W positions of GN(x), with the conditioning tokens
 * projected to keys and values and prepended (cross-attention, as ADM's {@code encoder_kv}); out = x + attn.
 * Port of {@code diffusion_labs/models/adm_unet/attention_block.py} ({@code ADMAttentionBlock}); the attention is
 * {@link AdmMultiHeadAttention} around {@link AdmCrossAttention}. Parameters keep the reference names ({@code norm},
 * {@code attn.query/key/value/output}, {@code attn.attn.cond_proj}) and construction order (cond_proj first).
 *
 * @param channels    C
 * @param dimCond     width of a conditioning token, 0 for none
 * @param numHeads    attention heads (1 everywhere in the U-Net: head dim = C)
 * @param rescaleSkip divide the sum by 1.414
 * @param normGroups  GroupNorm groups
 */
public record AdmAttentionBlock(long channels, long dimCond, int numHeads, boolean rescaleSkip, int normGroups) {
    public AdmAttentionBlock {
        Checks.require(normGroups > 0 && channels > 0 && channels % normGroups == 0, "AdmAttentionBlock", "channels",
                channels, "must be a positive multiple of normGroups=" + normGroups);
        Checks.require(dimCond >= 0, "AdmAttentionBlock", "dimCond", dimCond, "must be >= 0");
        Checks.require(numHeads > 0 && channels % numHeads == 0, "AdmAttentionBlock", "numHeads", numHeads,
                "must be positive and divide channels=" + channels);
    }

    /** The reference's {@code adm_attn_block}: one head, no rescale, 32 groups. */
    public static AdmAttentionBlock of(long channels, long dimCond) {
        return new AdmAttentionBlock(channels, dimCond, 1, false, 32);
    }

    /**
     * @param x       input [b, C, h, w]
     * @param context conditioning tokens [b, n, dimCond], or null for plain self-attention
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable x, SDVariable context) {
        long c = channels;
        p.reserve(prefix + ".norm.weight", prefix + ".norm.bias");
        AdmMultiHeadAttention.Rows attn = new AdmMultiHeadAttention(c, dimCond, numHeads).declare(sd, p, prefix + ".attn");

        SDVariable shape = sd.shape(x);
        SDVariable b = AdmLayers.batch(sd, shape);
        SDVariable n = AdmLayers.groupNorm(sd, p, prefix + ".norm", x, c, normGroups, 1e-5);
        SDVariable rows = sd.reshape(sd.permute(sd.reshape(n, AdmLayers.shapeOf(sd, b, c, -1)), 0, 2, 1), -1, c);
        SDVariable out = sd.reshape(attn.apply(rows, b, context), AdmLayers.shapeOf(sd, b, -1, c));
        SDVariable a = sd.reshape(sd.permute(out, 0, 2, 1), shape);
        SDVariable sum = x.add(a);
        return rescaleSkip ? sum.div(1.414) : sum;
    }
}
