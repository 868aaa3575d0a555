package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;

/**
 * Multi-head attention around the {@link AdmCrossAttention} kernel (port of torchmultimodal's
 * {@code MultiHeadAttention} as {@code adm_attention} builds it): q, k, v = Linear(C, C) of the input, each split into
 * heads head-major (channel c = head·d + j, d = C/h, heads moved to dim 1), the kernel, heads merged back, then the
 * {@code output} Linear. Parameters {@code query, key, value, output, attn.cond_proj} in that state-dict order; the
 * kernel's {@code cond_proj} is drawn first (it is constructed before the wrapper). One head keeps the head-free
 * [b, N, C] graph.
 *
 * @param channels C = dim_q = dim_kv
 * @param dimCond  width of a conditioning token, 0 for none
 * @param numHeads number of heads, dividing C
 */
public record AdmMultiHeadAttention(long channels, long dimCond, int numHeads) {
    private static final String OWNER = "AdmMultiHeadAttention";

    public AdmMultiHeadAttention {
        Checks.require(channels > 0, OWNER, "channels", channels, "must be > 0");
        Checks.require(numHeads > 0 && channels % numHeads == 0, OWNER, "numHeads", numHeads,
                "must be positive and divide channels=" + channels);
        Checks.require(dimCond >= 0, OWNER, "dimCond", dimCond, "must be >= 0 (0 = no conditioning)");
    }

    /** A declared attention layer over token rows. */
    interface Rows {
        /** rows [b·N, C] of b sequences, condition tokens [b, n, dimCond] or null → output rows [b·N, C]. */
        SDVariable apply(SDVariable rows, SDVariable batch, SDVariable context);
    }

    /** Declares the parameters now, in the reference's construction order, and returns the layer. */
    Rows declare(SameDiff sd, Parameters p, String prefix) {
        long c = channels;
        for (String m : new String[] {"query", "key", "value", "output", "attn.cond_proj"}) {
            if (!m.equals("attn.cond_proj") || dimCond > 0) {
                p.reserve(join(prefix, m) + ".weight", join(prefix, m) + ".bias");
            }
        }
        AdmCrossAttention.Kernel kernel = new AdmCrossAttention(c, dimCond).declare(sd, p, join(prefix, "attn"));
        AdmLayers.Linear query = AdmLayers.declareLinear(sd, p, join(prefix, "query"), c, c);
        AdmLayers.Linear key = AdmLayers.declareLinear(sd, p, join(prefix, "key"), c, c);
        AdmLayers.Linear value = AdmLayers.declareLinear(sd, p, join(prefix, "value"), c, c);
        AdmLayers.Linear output = AdmLayers.declareLinear(sd, p, join(prefix, "output"), c, c);
        boolean split = numHeads > 1;
        long d = c / numHeads;
        return (rows, batch, context) -> {
            SDVariable q = heads(sd, query.apply(rows), batch, d, split);
            SDVariable k = heads(sd, key.apply(rows), batch, d, split);
            SDVariable v = heads(sd, value.apply(rows), batch, d, split);
            SDVariable a = kernel.attend(q, k, v, context, batch, numHeads, split);
            SDVariable merged = split ? sd.reshape(sd.permute(a, 0, 2, 1, 3), -1, c) : sd.reshape(a, -1, c);
            return output.apply(merged);
        };
    }

    /**
     * The reference forward on x [b, *spatial, C] (channels last) with condition tokens [b, n, dimCond] or null;
     * returns [b, *spatial, C].
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable x, SDVariable context) {
        long[] s = x.getShape();
        Checks.require(s == null || s[s.length - 1] < 0 || s[s.length - 1] == channels, OWNER, "x",
                s == null ? null : Arrays.toString(s), "last dimension must be channels=" + channels);
        Rows layer = declare(sd, p, prefix);
        SDVariable shape = sd.shape(x);
        return sd.reshape(layer.apply(sd.reshape(x, -1, channels), AdmLayers.batch(sd, shape), context), shape);
    }

    /** [b·N, h·d] rows → [b, h, N, d] (split) or [b, N, d] (one head). */
    private SDVariable heads(SameDiff sd, SDVariable rows, SDVariable batch, long d, boolean split) {
        if (!split) {
            return sd.reshape(rows, AdmLayers.shapeOf(sd, batch, -1, d));
        }
        return sd.permute(sd.reshape(rows, AdmLayers.shapeOf(sd, batch, -1, numHeads, d)), 0, 2, 1, 3);
    }

    static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
