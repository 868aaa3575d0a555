package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * ADM attention block: single-head self-attention over the H·W positions of GN(x), with the conditioning tokens
 * projected to keys and values and prepended (cross-attention, as ADM's {@code encoder_kv}); out = x + attn.
 * Port of {@code diffusion_labs/models/adm_unet/attention_block.py} ({@code ADMAttentionBlock} +
 * {@code ADMCrossAttention}); parameters keep the reference names ({@code norm}, {@code attn.query/key/value/output},
 * {@code attn.attn.cond_proj}) and construction order (cond_proj first).
 *
 * @param channels    C (the head dimension too: one head)
 * @param dimCond     width of a conditioning token, 0 for none
 * @param rescaleSkip divide the sum by 1.414
 * @param normGroups  GroupNorm groups
 */
public record AdmAttentionBlock(long channels, long dimCond, boolean rescaleSkip, int normGroups) {
    public AdmAttentionBlock {
        Checks.require(channels > 0 && channels % normGroups == 0, "AdmAttentionBlock", "channels", channels,
                "must be a positive multiple of normGroups=" + normGroups);
        Checks.require(dimCond >= 0, "AdmAttentionBlock", "dimCond", dimCond, "must be >= 0");
    }

    public static AdmAttentionBlock of(long channels, long dimCond) {
        return new AdmAttentionBlock(channels, dimCond, false, 32);
    }

    /**
     * @param x       input [b, C, h, w]
     * @param context conditioning tokens [b, n, dimCond], or null for plain self-attention
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable x, SDVariable context) {
        long c = channels;
        for (String m : new String[] {".norm", ".attn.query", ".attn.key", ".attn.value", ".attn.output", ".attn.attn.cond_proj"}) {
            if (!m.endsWith("cond_proj") || dimCond > 0) {
                p.reserve(prefix + m + ".weight", prefix + m + ".bias");
            }
        }
        AdmLayers.Linear condProj = dimCond > 0
                ? AdmLayers.declareLinear(sd, p, prefix + ".attn.attn.cond_proj", dimCond, 2 * c) : null;
        AdmLayers.Linear query = AdmLayers.declareLinear(sd, p, prefix + ".attn.query", c, c);
        AdmLayers.Linear key = AdmLayers.declareLinear(sd, p, prefix + ".attn.key", c, c);
        AdmLayers.Linear value = AdmLayers.declareLinear(sd, p, prefix + ".attn.value", c, c);
        AdmLayers.Linear output = AdmLayers.declareLinear(sd, p, prefix + ".attn.output", c, c);

        SDVariable shape = sd.shape(x);
        SDVariable b = AdmLayers.batch(sd, shape);
        SDVariable n = AdmLayers.groupNorm(sd, p, prefix + ".norm", x, c, normGroups, 1e-5);
        SDVariable rows = sd.reshape(sd.permute(sd.reshape(n, AdmLayers.shapeOf(sd, b, c, -1)), 0, 2, 1), -1, c);
        SDVariable q = tokens(sd, b, query.apply(rows), c);
        SDVariable k = tokens(sd, b, key.apply(rows), c);
        SDVariable v = tokens(sd, b, value.apply(rows), c);
        if (context != null && condProj != null) {
            SDVariable ctx = tokens(sd, b, condProj.apply(sd.reshape(context, -1, dimCond)), 2 * c);
            k = sd.concat(1, ctx.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, c)), k);
            v = sd.concat(1, ctx.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(c, 2 * c)), v);
        }
        SDVariable weights = sd.nn().softmax(sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(c)), 2);
        SDVariable attended = sd.reshape(sd.mmul(weights, v), -1, c);
        SDVariable a = sd.reshape(sd.permute(tokens(sd, b, output.apply(attended), c), 0, 2, 1), shape);
        SDVariable sum = x.add(a);
        return rescaleSkip ? sum.div(1.414) : sum;
    }

    /** [b·n, width] rows back to [b, n, width] tokens. */
    private static SDVariable tokens(SameDiff sd, SDVariable b, SDVariable rows, long width) {
        return sd.reshape(rows, AdmLayers.shapeOf(sd, b, -1, width));
    }
}
