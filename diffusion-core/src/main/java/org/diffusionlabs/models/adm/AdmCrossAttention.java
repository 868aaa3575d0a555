package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;

/**
 * ADM cross-attention kernel (port of {@code ADMCrossAttention}): scaled dot-product attention per head, with the
 * conditioning tokens projected by {@code cond_proj} (Linear(dimCond, 2·dimQkv)), split into heads like the queries
 * (last dim → (h, 2d), first d = key, last d = value) and PREPENDED to the keys and values. No mask, no dropout,
 * scale 1/√d with d = dimQkv / h. Without a condition (or without {@code cond_proj}) it is plain self-attention.
 *
 * @param dimQkv  total embedding width h·d of q, k and v
 * @param dimCond width of a conditioning token, 0 for none (no {@code cond_proj})
 */
public record AdmCrossAttention(long dimQkv, long dimCond) {
    private static final String OWNER = "AdmCrossAttention";

    public AdmCrossAttention {
        Checks.require(dimQkv > 0, OWNER, "dimQkv", dimQkv, "must be > 0");
        Checks.require(dimCond >= 0, OWNER, "dimCond", dimCond, "must be >= 0 (0 = no conditioning)");
    }

    /** The kernel with its declared parameters. */
    interface Kernel {
        /**
         * Attention over head-split tensors: [b, h, N, d] (or [b, N, d] when {@code headAxis} is false: one head,
         * no head dimension), condition tokens [b, n, dimCond] or null; returns the layout of {@code q}.
         */
        SDVariable attend(SDVariable q, SDVariable k, SDVariable v, SDVariable context, SDVariable batch,
                          long heads, boolean headAxis);
    }

    /** Declares {@code prefix.cond_proj} now (construction-order parity) and returns the kernel. */
    Kernel declare(SameDiff sd, Parameters p, String prefix) {
        String name = prefix.isEmpty() ? "cond_proj" : prefix + ".cond_proj";
        AdmLayers.Linear condProj = dimCond > 0 ? AdmLayers.declareLinear(sd, p, name, dimCond, 2 * dimQkv) : null;
        return (q, k, v, context, batch, heads, headAxis) -> {
            long d = dimQkv / heads;
            int seq = headAxis ? 2 : 1;
            if (context != null && condProj != null) {
                SDVariable c = condProj.apply(sd.reshape(context, -1, dimCond));
                c = headAxis
                        ? sd.permute(sd.reshape(c, AdmLayers.shapeOf(sd, batch, -1, heads, 2 * d)), 0, 2, 1, 3)
                        : sd.reshape(c, AdmLayers.shapeOf(sd, batch, -1, 2 * d));
                k = sd.concat(seq, lastInterval(c, headAxis, 0, d), k);
                v = sd.concat(seq, lastInterval(c, headAxis, d, 2 * d), v);
            }
            // kᵀ materialised contiguously (the + 0 copies the permuted view): ND4J's batched matmul with
            // transposeB on a [b, N, d] operand is several times slower than on a contiguous [b, d, N] one
            SDVariable kT = headAxis ? sd.permute(k, 0, 1, 3, 2).add(0.0) : sd.permute(k, 0, 2, 1).add(0.0);
            SDVariable weights = sd.nn().softmax(sd.mmul(q, kT).mul(1.0 / Math.sqrt(d)), seq + 1);
            return sd.mmul(weights, v);
        };
    }

    /**
     * The reference forward: q, k, v [b, h, *spatial, d] with static h and d (h·d must equal dimQkv for each),
     * context [b, *tokens, dimCond] or null; returns [b, h, *spatial, d].
     *
     * @throws IllegalArgumentException when a head split does not give dimQkv
     */
    public SDVariable build(SameDiff sd, Parameters p, String prefix, SDVariable q, SDVariable k, SDVariable v,
                            SDVariable context) {
        long heads = staticShape(q, "q")[1];
        String[] names = {"q", "k", "v"};
        SDVariable[] inputs = {q, k, v};
        for (int i = 0; i < 3; i++) {
            long[] s = staticShape(inputs[i], names[i]);
            Checks.require(s[1] == heads && heads * s[s.length - 1] == dimQkv, OWNER, names[i], Arrays.toString(s),
                    "heads × head dim must equal dimQkv=" + dimQkv + " with the heads of q (" + heads + ")");
        }
        Checks.require(dimQkv % heads == 0, OWNER, "heads", heads, "must divide dimQkv=" + dimQkv);
        long d = dimQkv / heads;
        Kernel kernel = declare(sd, p, prefix);
        SDVariable batch = AdmLayers.batch(sd, sd.shape(q));
        SDVariable out = kernel.attend(flat(sd, q, batch, heads, d), flat(sd, k, batch, heads, d),
                flat(sd, v, batch, heads, d), context, batch, heads, true);
        return sd.reshape(out, sd.shape(q));
    }

    private static SDVariable flat(SameDiff sd, SDVariable x, SDVariable batch, long heads, long d) {
        return sd.reshape(x, AdmLayers.shapeOf(sd, batch, heads, -1, d));
    }

    private static SDVariable lastInterval(SDVariable c, boolean headAxis, long from, long to) {
        return headAxis
                ? c.get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.interval(from, to))
                : c.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(from, to));
    }

    private static long[] staticShape(SDVariable x, String name) {
        long[] s = x.getShape();
        Checks.require(s != null && s.length >= 3 && s[1] > 0 && s[s.length - 1] > 0, OWNER, name,
                s == null ? null : Arrays.toString(s), "needs a static shape [b, h, *spatial, d]");
        return s;
    }
}
