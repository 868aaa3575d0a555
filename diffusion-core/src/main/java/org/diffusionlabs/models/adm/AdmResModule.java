package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Block;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.Dropout;
import org.diffusionlabs.engine.nn.Embeddings;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.diffusionlabs.engine.nn.Linear;
import org.diffusionlabs.engine.nn.Resample2;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The {@link AdmResBlock} (reference factories: scale-shift FiLM, skip conv when the width changes, 32 groups) on the
 * engine: {@code out = skip(resample(x)) + conv3(dropout(SiLU(GN(conv1(resample(SiLU(GN(x)))))·(1 + s) + t)))} with
 * (s, t) = {@code cond_proj.1}(SiLU(e)). Parameter names are the reference's under {@code prefix}.
 */
final class AdmResModule implements Block {
    private final String site;
    private final long out;
    private final Linear condProj;
    private final GroupNormAct inNorm;
    private final Resample2 resampleMain;
    private final Resample2 resampleSkip;
    private final Conv2d inConv;
    private final GroupNormAct outNorm;
    private final Dropout dropout;
    private final Conv2d outConv;
    private final Conv2d skipConv;

    AdmResModule(GradientBuffer g, String prefix, Resample resample, Kernels kernels) {
        this.site = "dropout." + prefix;
        this.condProj = new Linear(g, prefix + ".cond_proj.1");
        this.inNorm = new GroupNormAct(g, prefix + ".in_block.0", AdmUNetConfig.NORM_GROUPS, 1e-5, true, kernels);
        this.inConv = new Conv2d(g, prefix + ".in_block.3");
        this.outNorm = new GroupNormAct(g, prefix + ".out_group_norm", AdmUNetConfig.NORM_GROUPS, 1e-5, true, kernels);
        this.dropout = new Dropout(kernels);
        this.outConv = new Conv2d(g, prefix + ".out_block.2");
        this.skipConv = g.has(prefix + ".skip_block.1.weight") ? new Conv2d(g, prefix + ".skip_block.1") : null;
        this.out = outConv.out();
        this.resampleMain = resample == Resample.DOWN ? Resample2.down() : resample == Resample.UP ? Resample2.up() : null;
        this.resampleSkip = resample == Resample.DOWN ? Resample2.down() : resample == Resample.UP ? Resample2.up() : null;
    }

    @Override
    public INDArray forward(Arena arena, INDArray x, Embeddings e, boolean train) {
        long b = x.size(0);
        INDArray cond = condProj.forward(arena, e.resAct, train);
        INDArray scale = arena.take(b, out).assign(cond.get(NDArrayIndex.all(), NDArrayIndex.interval(0, out)));
        INDArray shift = arena.take(b, out).assign(cond.get(NDArrayIndex.all(), NDArrayIndex.interval(out, 2 * out)));
        arena.give(cond);
        INDArray skip = resampleSkip == null ? x : resampleSkip.forward(arena, x, train);
        if (skipConv != null) {
            INDArray s = skipConv.forward(arena, skip, train);
            if (!train && skip != x) {
                arena.give(skip);
            }
            skip = s;
        }
        INDArray h = inNorm.forward(arena, x, train);
        if (resampleMain != null) {
            INDArray r = resampleMain.forward(arena, h, train);
            if (!train) {
                arena.give(h);
            }
            h = r;
        }
        INDArray h2 = inConv.forward(arena, h, train);
        if (!train) {
            arena.give(h);
        }
        INDArray h3 = outNorm.forward(arena, h2, scale, shift, train);
        if (!train) {
            arena.give(h2);
            arena.give(scale);
            arena.give(shift);
        }
        dropout.forward(h3, train ? e.dropout.get(site) : null);
        INDArray y = outConv.forward(arena, h3, train);
        if (!train) {
            arena.give(h3);
        }
        y.addi(skip);
        if (!train && skip != x) {
            arena.give(skip);
        }
        return y;
    }

    /** {@link #forward} at inference over channels-last arrays [b, H, W, C] (dropout is the identity there). */
    @Override
    public INDArray forwardNhwc(Arena arena, INDArray x, Embeddings e) {
        long b = x.size(0);
        INDArray cond = condProj.forward(arena, e.resAct, false);
        INDArray scale = arena.take(b, out).assign(cond.get(NDArrayIndex.all(), NDArrayIndex.interval(0, out)));
        INDArray shift = arena.take(b, out).assign(cond.get(NDArrayIndex.all(), NDArrayIndex.interval(out, 2 * out)));
        arena.give(cond);
        INDArray skip = resampleSkip == null ? x : resampleSkip.forwardNhwc(arena, x);
        if (skipConv != null) {
            INDArray s = skipConv.forwardNhwc(arena, skip);
            if (skip != x) {
                arena.give(skip);
            }
            skip = s;
        }
        INDArray h = inNorm.forwardNhwc(arena, x, null, null);
        if (resampleMain != null) {
            INDArray r = resampleMain.forwardNhwc(arena, h);
            arena.give(h);
            h = r;
        }
        INDArray h2 = inConv.forwardNhwc(arena, h);
        arena.give(h);
        INDArray h3 = outNorm.forwardNhwc(arena, h2, scale, shift);
        arena.give(h2);
        arena.give(scale);
        arena.give(shift);
        INDArray y = outConv.forwardNhwc(arena, h3);
        arena.give(h3);
        long t0 = org.diffusionlabs.engine.Profile.start();
        y.addi(skip);
        org.diffusionlabs.engine.Profile.add("residual add", t0);
        if (skip != x) {
            arena.give(skip);
        }
        return y;
    }

    @Override
    public INDArray backward(Arena arena, INDArray dy, Embeddings e) {
        long b = dy.size(0);
        INDArray dh = dropout.backward(outConv.backward(arena, dy));
        INDArray dScale = arena.take(b, out);
        INDArray dShift = arena.take(b, out);
        dh = outNorm.backward(arena, dh, dScale, dShift);
        INDArray dIn = inConv.backward(arena, dh);
        arena.give(dh);
        if (resampleMain != null) {
            INDArray r = resampleMain.backward(arena, dIn);
            arena.give(dIn);
            dIn = r;
        }
        INDArray dx = inNorm.backward(arena, dIn, null, null);
        INDArray dSkip = dy;
        if (skipConv != null) {
            dSkip = skipConv.backward(arena, dy);
        }
        if (resampleSkip != null) {
            INDArray r = resampleSkip.backward(arena, dSkip);
            if (dSkip != dy) {
                arena.give(dSkip);
            }
            dSkip = r;
        }
        dx.addi(dSkip);
        if (dSkip != dy) {
            arena.give(dSkip);
        }
        arena.give(dy);
        INDArray dCond = arena.take(b, 2 * out);
        dCond.get(NDArrayIndex.all(), NDArrayIndex.interval(0, out)).assign(dScale);
        dCond.get(NDArrayIndex.all(), NDArrayIndex.interval(out, 2 * out)).assign(dShift);
        arena.give(dScale);
        arena.give(dShift);
        INDArray dAct = condProj.backward(arena, dCond, true);
        e.dResAct.addi(dAct);
        arena.give(dAct);
        arena.give(dCond);
        return dx;
    }
}
