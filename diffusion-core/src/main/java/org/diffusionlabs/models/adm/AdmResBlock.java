package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * ADM residual block (Dhariwal and Nichol 2021): GN → SiLU → resample → conv3×3, then FiLM conditioning
 * GN(h)·(1 + scale) + shift from the embedding, SiLU → dropout → conv3×3, plus the (resampled, 1×1-projected when
 * the width changes) skip. Port of {@code diffusion_labs/models/adm_unet/res_block.py}; parameters keep the
 * reference names ({@code cond_proj.1}, {@code in_block.0/3}, {@code out_group_norm}, {@code out_block.2},
 * {@code skip_block.1}) and are declared in the reference's construction order (skip conv first).
 *
 * @param in                 input channels
 * @param out                output channels
 * @param dimCond            width of the conditioning embedding
 * @param resample           none, down (avg pool) or up (nearest)
 * @param skipConv           1×1 conv on the skip path (required when in ≠ out; its draws come first)
 * @param scaleShift         FiLM scale-shift (true) or additive conditioning (false)
 * @param rescaleSkip        divide the sum by 1.414 (the reference's constant)
 * @param normGroups         GroupNorm groups (32 in the reference)
 * @param normEps            GroupNorm epsilon
 */
public record AdmResBlock(long in, long out, long dimCond, Resample resample, boolean skipConv, boolean scaleShift,
                          boolean rescaleSkip, int normGroups, double normEps) {
    public AdmResBlock {
        Checks.require(skipConv || in == out, "AdmResBlock", "out", out,
                "must equal in=" + in + " without a skip conv (the identity skip cannot change the width)");
        Checks.require(normGroups > 0, "AdmResBlock", "normGroups", normGroups, "must be > 0");
        Checks.require(in > 0 && in % normGroups == 0, "AdmResBlock", "in", in, "must be a positive multiple of normGroups=" + normGroups);
        Checks.require(out > 0 && out % normGroups == 0, "AdmResBlock", "out", out, "must be a positive multiple of normGroups=" + normGroups);
        Checks.require(dimCond > 0, "AdmResBlock", "dimCond", dimCond, "must be > 0");
        Checks.notNull(resample, "AdmResBlock", "resample");
    }

    /**
     * The reference's factories ({@code adm_res_block} and its down/up variants): a skip conv exactly when in ≠ out,
     * scale-shift on, no rescale, 32 groups, eps 1e-5.
     */
    public static AdmResBlock of(long in, long out, long dimCond, Resample resample) {
        return new AdmResBlock(in, out, dimCond, resample, in != out, true, false, 32, 1e-5);
    }

    /**
     * Adds the block to the graph.
     *
     * @param x       input [b, in, h, w]
     * @param emb     conditioning embedding [b, dimCond]
     * @param dropout drop probability before the output conv (0 in eval graphs)
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable x, SDVariable emb, double dropout) {
        return build(sd, p, prefix, x, emb, new DropoutMasks(dropout), 1);
    }

    /**
     * Adds the block with dropout from {@code masks}; {@code factor} is the downscale factor of the block's output
     * resolution relative to the network input (for the mask shapes).
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable x, SDVariable emb, DropoutMasks masks,
                            int factor) {
        String[] order = {".cond_proj.1", ".in_block.0", ".in_block.3", ".out_group_norm", ".out_block.2", ".skip_block.1"};
        for (String m : order) {
            if (!m.equals(".skip_block.1") || skipConv) {
                p.reserve(prefix + m + ".weight", prefix + m + ".bias");
            }
        }
        AdmLayers.Conv skip1x1 = skipConv ? AdmLayers.declareConv(sd, p, prefix + ".skip_block.1", in, out, 1) : null;
        long condWidth = scaleShift ? 2 * out : out;
        AdmLayers.Linear condProj = AdmLayers.declareLinear(sd, p, prefix + ".cond_proj.1", dimCond, condWidth);
        AdmLayers.Conv inConv = AdmLayers.declareConv(sd, p, prefix + ".in_block.3", in, out, 3);
        AdmLayers.Conv outConv = AdmLayers.declareConv(sd, p, prefix + ".out_block.2", out, out, 3);

        SDVariable cond = condProj.apply(AdmLayers.silu(sd, emb));
        SDVariable skip = resample.apply(sd, x);
        if (skip1x1 != null) {
            skip = skip1x1.apply(skip);
        }
        SDVariable h = AdmLayers.groupNorm(sd, p, prefix + ".in_block.0", x, in, normGroups, normEps);
        h = inConv.apply(resample.apply(sd, AdmLayers.silu(sd, h)));
        if (scaleShift) {
            SDVariable scale = cond.get(SDIndex.all(), SDIndex.interval(0L, out));
            SDVariable shift = cond.get(SDIndex.all(), SDIndex.interval(out, 2 * out));
            h = AdmLayers.groupNorm(sd, p, prefix + ".out_group_norm", h, out, normGroups, normEps, scale.add(1.0), shift);
        } else {
            SDVariable t = sd.reshape(cond, AdmLayers.shapeOf(sd, AdmLayers.batch(sd, sd.shape(emb)), condWidth, 1, 1));
            h = AdmLayers.groupNorm(sd, p, prefix + ".out_group_norm", h.add(t), out, normGroups, normEps);
        }
        h = AdmLayers.silu(sd, h);
        h = masks.apply(sd, prefix, h, out, factor);
        SDVariable sum = skip.add(outConv.apply(h));
        return rescaleSkip ? sum.div(1.414) : sum;
    }
}
