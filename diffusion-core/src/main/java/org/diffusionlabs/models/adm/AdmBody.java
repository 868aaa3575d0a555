package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.NativeOp;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Block;
import org.diffusionlabs.engine.nn.Conv2d;
import org.diffusionlabs.engine.nn.Embeddings;
import org.diffusionlabs.engine.nn.GroupNormAct;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The U-Net body of {@link AdmUNet#buildFromEmbeddings} on the engine, as a list of stages run in order forward and
 * in reverse backward: the input conv, the encoder's res (+ attention) blocks and downsampling blocks, each output
 * pushed as a skip; the res-attention-res bottleneck; the decoder, which concatenates a popped skip before each res
 * block; then the head's GroupNorm + SiLU and conv. A skip's gradient is the sum of what its two consumers send
 * back: the next encoder stage's, and the decoder concat's (kept until the backward pass reaches the push).
 */
final class AdmBody {
    private sealed interface Stage permits Run, Push, Concat {}

    private record Run(Block block) implements Stage {}

    private record Push(int index) implements Stage {}

    private record Concat(int index) implements Stage {}

    private final Conv2d convIn;
    private final List<Stage> stages = new ArrayList<>();
    private final GroupNormAct headNorm;
    private final Conv2d headConv;
    private final int skipCount;
    private final NativeOp concatLast = new NativeOp("concat", 3);
    private INDArray[] skips;
    private INDArray[] skipGrads;
    private long[] concatSplit;

    AdmBody(AdmUNetConfig config, GradientBuffer g, Kernels kernels) {
        AdmLayout layout = new AdmLayout(config);
        convIn = new Conv2d(g, "down.0._module_list.0");
        for (AdmLayout.Stage s : layout.stages()) {
            if (s instanceof AdmLayout.Res r) {
                stages.add(new Run(new AdmResModule(g, r.prefix(), r.resample(), kernels)));
            } else if (s instanceof AdmLayout.Attention a) {
                stages.add(new Run(new AdmAttentionModule(g, a.prefix(), kernels)));
            } else if (s instanceof AdmLayout.Push p) {
                stages.add(new Push(p.index()));
            } else {
                stages.add(new Concat(((AdmLayout.Concat) s).index()));
            }
        }
        headNorm = new GroupNormAct(g, layout.head() + "0", AdmUNetConfig.NORM_GROUPS, 1e-5,
                true, kernels);
        headConv = new Conv2d(g, layout.head() + "2");
        skipCount = layout.skips();
    }

    /** The network output [b, outChannels, h, w] for input x; keeps state for {@link #backward} when training. */
    INDArray forward(Arena arena, INDArray x, Embeddings e, boolean train) {
        skips = new INDArray[skipCount];
        skipGrads = new INDArray[skipCount];
        concatSplit = new long[skipCount];
        Set<INDArray> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        INDArray h = convIn.forward(arena, x, train);
        for (Stage s : stages) {
            if (s instanceof Push push) {
                skips[push.index()] = h;
                pinned.add(h);
            } else if (s instanceof Concat cat) {
                INDArray skip = skips[cat.index()];
                INDArray joined = arena.take(h.size(0), h.size(1) + skip.size(1), h.size(2), h.size(3));
                joined.get(channels(0, h.size(1))).assign(h);
                joined.get(channels(h.size(1), joined.size(1))).assign(skip);
                concatSplit[cat.index()] = h.size(1);
                if (!train) {
                    if (!pinned.contains(h)) {
                        arena.give(h);
                    }
                    arena.give(skip);
                    skips[cat.index()] = null;
                }
                h = joined;
            } else {
                long t0 = org.diffusionlabs.engine.Profile.start();
                INDArray next = ((Run) s).block().forward(arena, h, e, train);
                org.diffusionlabs.engine.Profile.add("= " + ((Run) s).block().getClass().getSimpleName() + " forward", t0);
                if (!train && !pinned.contains(h)) {
                    arena.give(h);
                }
                h = next;
            }
        }
        INDArray a = headNorm.forward(arena, h, train);
        if (!train) {
            arena.give(h);
        }
        INDArray y = headConv.forward(arena, a, train);
        if (!train) {
            arena.give(a);
        }
        return y;
    }

    /**
     * The inference forward over channels-last arrays: x [b, H, W, in] → [b, H, W, outChannels], every block's
     * {@link Block#forwardNhwc}, skips joined on the last axis by one native concat; keeps nothing.
     */
    INDArray forwardNhwc(Arena arena, INDArray x, Embeddings e) {
        INDArray[] saved = new INDArray[skipCount];
        Set<INDArray> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        INDArray h = convIn.forwardNhwc(arena, x);
        for (Stage s : stages) {
            if (s instanceof Push push) {
                saved[push.index()] = h;
                pinned.add(h);
            } else if (s instanceof Concat cat) {
                INDArray skip = saved[cat.index()];
                INDArray joined = arena.take(h.size(0), h.size(1), h.size(2), h.size(3) + skip.size(3));
                long t0 = org.diffusionlabs.engine.Profile.start();
                concatLast.exec(new INDArray[] {h, skip}, joined);
                org.diffusionlabs.engine.Profile.add("concat", t0);
                if (!pinned.contains(h)) {
                    arena.give(h);
                }
                arena.give(skip);
                saved[cat.index()] = null;
                h = joined;
            } else {
                long t0 = org.diffusionlabs.engine.Profile.start();
                INDArray next = ((Run) s).block().forwardNhwc(arena, h, e);
                org.diffusionlabs.engine.Profile.add("= " + ((Run) s).block().getClass().getSimpleName() + " forward", t0);
                if (!pinned.contains(h)) {
                    arena.give(h);
                }
                h = next;
            }
        }
        INDArray a = headNorm.forwardNhwc(arena, h, null, null);
        arena.give(h);
        INDArray y = headConv.forwardNhwc(arena, a);
        arena.give(a);
        return y;
    }

    /** Backward from the output gradient (consumed); accumulates every parameter gradient and the embeddings'. */
    void backward(Arena arena, INDArray dy, Embeddings e) {
        INDArray dh = headConv.backward(arena, dy);
        arena.give(dy);
        dh = headNorm.backward(arena, dh, null, null);
        for (int i = stages.size() - 1; i >= 0; i--) {
            Stage s = stages.get(i);
            if (s instanceof Push push) {
                INDArray extra = skipGrads[push.index()];
                if (extra != null) {
                    dh.addi(extra);
                    arena.give(extra);
                }
            } else if (s instanceof Concat cat) {
                long split = concatSplit[cat.index()];
                INDArray dMain = arena.take(dh.size(0), split, dh.size(2), dh.size(3)).assign(dh.get(channels(0, split)));
                skipGrads[cat.index()] = arena.take(dh.size(0), dh.size(1) - split, dh.size(2), dh.size(3))
                        .assign(dh.get(channels(split, dh.size(1))));
                arena.give(dh);
                dh = dMain;
            } else {
                long t0 = org.diffusionlabs.engine.Profile.start();
                dh = ((Run) s).block().backward(arena, dh, e);
                org.diffusionlabs.engine.Profile.add("= " + ((Run) s).block().getClass().getSimpleName() + " backward", t0);
            }
        }
        INDArray dx = convIn.backward(arena, dh);
        arena.give(dh);
        arena.give(dx);
        skips = null;
        skipGrads = null;
    }

    /** Channels [from, to) of an NCHW array, every sample and position. */
    static INDArrayIndex[] channels(long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all()};
    }
}
