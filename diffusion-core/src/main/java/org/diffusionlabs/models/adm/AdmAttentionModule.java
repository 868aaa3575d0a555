package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.NativeOp;
import org.diffusionlabs.engine.Profile;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Block;
import org.diffusionlabs.engine.nn.Embeddings;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.diffusionlabs.engine.nn.Linear;
import org.diffusionlabs.engine.nn.MatMul;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The {@link AdmAttentionBlock} of the U-Net (one head, no rescale) on the engine: {@code out = x + o(attn(GN(x)))}
 * over the H·W positions, with the condition tokens projected by {@code attn.attn.cond_proj} to keys and values and
 * prepended to the positions' own ({@link AdmCrossAttention}). Scores are scaled by 1/√C and softmaxed per query.
 */
final class AdmAttentionModule implements Block {
    private final long c;
    private final GroupNormAct norm;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final Linear condProj;
    private final MatMul mm = new MatMul();
    private final NativeOp softmax = new NativeOp("softmax", 2);
    private final NativeOp softmaxBp = new NativeOp("softmax_bp", 2);
    private long tokens;
    private INDArray q;
    private INDArray k;
    private INDArray v;
    private INDArray scores;
    private INDArray p;

    AdmAttentionModule(GradientBuffer g, String prefix, Kernels kernels) {
        this.norm = new GroupNormAct(g, prefix + ".norm", AdmUNetConfig.NORM_GROUPS, 1e-5, false, kernels);
        this.query = new Linear(g, prefix + ".attn.query");
        this.key = new Linear(g, prefix + ".attn.key");
        this.value = new Linear(g, prefix + ".attn.value");
        this.output = new Linear(g, prefix + ".attn.output");
        this.condProj = g.has(prefix + ".attn.attn.cond_proj.weight") ? new Linear(g, prefix + ".attn.attn.cond_proj") : null;
        this.c = query.out();
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, Embeddings e, boolean train) {
        long b = x.size(0);
        long n = x.size(2) * x.size(3);
        INDArray normed = norm.forward(arena, x, train);
        INDArray rows = arena.take(b, n, c).assign(normed.reshape(b, c, n).permute(0, 2, 1));
        arena.give(normed);
        Attended at = attend(arena, rows.reshape(b * n, c), b, n, e, train);
        INDArray o = output.forward(arena, at.a().reshape(b * n, c), train);
        INDArray y = arena.take(x.shape());
        y.assign(o.reshape(b, n, c).permute(0, 2, 1).reshape(b, c, x.size(2), x.size(3))).addi(x);
        arena.give(o);
        if (train) {
            this.tokens = at.tokens();
            this.q = at.q3();
            this.k = at.k();
            this.v = at.v();
            this.scores = at.scores();
            this.p = at.p();
        } else {
            arena.give(rows);
            for (INDArray r : new INDArray[] {at.q(), at.k(), at.v(), at.scores(), at.p(), at.a()}) {
                arena.give(r);
            }
        }
        return y;
    }

    /**
     * {@link #forward} at inference over channels-last arrays [b, H, W, C]: the positions are already the rows
     * [b·H·W, C] the projections take, so no permutes.
     */
    @Override
    public INDArray forwardNhwc(Arena arena, INDArray x, Embeddings e) {
        long b = x.size(0);
        long n = x.size(1) * x.size(2);
        INDArray normed = norm.forwardNhwc(arena, x, null, null);
        Attended at = attend(arena, normed.reshape(b * n, c), b, n, e, false);
        arena.give(normed);
        INDArray o = output.forward(arena, at.a().reshape(b * n, c), false);
        INDArray y = arena.take(x.shape());
        o.reshape(x.shape()).add(x, y);
        for (INDArray r : new INDArray[] {o, at.q(), at.k(), at.v(), at.scores(), at.p(), at.a()}) {
            arena.give(r);
        }
        return y;
    }

    /**
     * The attention of one forward: the arena arrays q [b·n, c] (and its view q3 [b, n, c]), keys and values
     * [b, t + n, c], scores, p and the output a.
     */
    private record Attended(long tokens, INDArray q, INDArray q3, INDArray k, INDArray v, INDArray scores, INDArray p,
                            INDArray a) {}

    /**
     * softmax(q·kᵀ/√c)·v over the positions' rows [b·n, c] (either layout gives them), the condition tokens' keys and
     * values first when cross-attending; the rows are only read.
     */
    private Attended attend(Arena arena, INDArray rows2, long b, long n, Embeddings e, boolean train) {
        INDArray q2 = query.forward(arena, rows2, train);
        INDArray k2 = key.forward(arena, rows2, train);
        INDArray v2 = value.forward(arena, rows2, train);
        boolean cross = condProj != null && e.tokens != null;
        long t = cross ? e.tokens.size(0) / b : 0;
        long m = t + n;
        INDArray kAll = arena.take(b, m, c);
        INDArray vAll = arena.take(b, m, c);
        kAll.get(span(t, m)).assign(k2.reshape(b, n, c));
        vAll.get(span(t, m)).assign(v2.reshape(b, n, c));
        arena.give(k2);
        arena.give(v2);
        if (cross) {
            INDArray kv = condProj.forward(arena, e.tokens, train).reshape(b, t, 2 * c);
            kAll.get(span(0, t)).assign(kv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c)));
            vAll.get(span(0, t)).assign(kv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(c, 2 * c)));
            arena.give(kv);
        }
        INDArray q3 = q2.reshape(b, n, c);
        INDArray s = arena.take(b, n, m);
        mm.exec(q3, false, kAll, true, s, 1.0 / Math.sqrt(c), 0.0);
        INDArray pr = arena.take(b, n, m);
        long t0 = Profile.start();
        softmax.exec1(s, pr);
        Profile.add("softmax", t0);
        INDArray a = arena.take(b, n, c);
        mm.exec(pr, false, vAll, false, a, 1.0, 0.0);
        return new Attended(t, q2, q3, kAll, vAll, s, pr, a);
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy, Embeddings e) {
        long b = dy.size(0);
        long n = dy.size(2) * dy.size(3);
        long t = tokens;
        long m = t + n;
        INDArray dRows = arena.take(b, n, c).assign(dy.reshape(b, c, n).permute(0, 2, 1));
        INDArray da = output.backward(arena, dRows.reshape(b * n, c), true).reshape(b, n, c);
        INDArray dp = arena.take(b, n, m);
        mm.exec(da, false, v, true, dp, 1.0, 0.0);
        INDArray dv = arena.take(b, m, c);
        mm.exec(p, true, da, false, dv, 1.0, 0.0);
        INDArray ds = arena.take(b, n, m);
        softmaxBp.exec(new INDArray[] {scores, dp}, ds);
        INDArray dq = arena.take(b, n, c);
        mm.exec(ds, false, k, false, dq, 1.0 / Math.sqrt(c), 0.0);
        INDArray dk = arena.take(b, m, c);
        mm.exec(ds, true, q, false, dk, 1.0 / Math.sqrt(c), 0.0);
        if (t > 0) {
            INDArray dkv = arena.take(b, t, 2 * c);
            dkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, c)).assign(dk.get(span(0, t)));
            dkv.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(c, 2 * c)).assign(dv.get(span(0, t)));
            INDArray dTok = condProj.backward(arena, dkv.reshape(b * t, 2 * c), true);
            e.dTokens.addi(dTok);
            arena.give(dTok);
            arena.give(dkv);
        }
        INDArray dkRows = arena.take(b, n, c).assign(dk.get(span(t, m)));
        INDArray dvRows = arena.take(b, n, c).assign(dv.get(span(t, m)));
        INDArray dr = query.backward(arena, dq.reshape(b * n, c), true);
        INDArray dr2 = key.backward(arena, dkRows.reshape(b * n, c), true);
        dr.addi(dr2);
        arena.give(dr2);
        dr2 = value.backward(arena, dvRows.reshape(b * n, c), true);
        dr.addi(dr2);
        arena.give(dr2);
        INDArray dNorm = arena.take(dy.shape()).assign(dr.reshape(b, n, c).permute(0, 2, 1).reshape(dy.shape()));
        INDArray dx = norm.backward(arena, dNorm, null, null);
        dx.addi(dy);
        for (INDArray a : new INDArray[] {dy, dRows, da, dp, dv, ds, dq, dk, dkRows, dvRows, dr, q, k, v, scores, p}) {
            arena.give(a);
        }
        q = k = v = scores = p = null;
        return dx;
    }

    /** Rows [from, to) of the sequence axis of a [b, m, c] array. */
    private static INDArrayIndex[] span(long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all()};
    }
}
