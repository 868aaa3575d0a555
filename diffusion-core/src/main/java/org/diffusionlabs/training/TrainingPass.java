package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.losses.HybridLossHead;
import org.diffusionlabs.models.adm.AdmNetwork;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One forward + backward of a {@link TrainingGraph} on the engine: the condition (label-table rows or given vectors,
 * mixed with the learned null embedding where the guidance keep mask drops it), the U-Net ({@link AdmNetwork}), the
 * loss head ({@link HybridLossHead}) and the gradients of every trained array, back through the U-Net to the null
 * embedding and the label table. Reads the same feed as the SameDiff graph ({@link TrainingFeed}). One instance per
 * thread; gradients are views into its {@link GradientBuffer}, valid until the next pass.
 */
final class TrainingPass implements AutoCloseable {
    private final TrainingGraph graph;
    private final AdmNetwork network;
    private final String condName;
    private final String nullName;

    TrainingPass(TrainingGraph graph, Kernels kernels) {
        this.graph = graph;
        AdmUNetConfig config = graph.unet().config();
        this.condName = config.embedDim() > 0 ? config.embedName() : null;
        Map<String, INDArray> extra = new LinkedHashMap<>(graph.trainables());
        graph.unet().parameters().asMap().keySet().forEach(extra::remove);
        this.network = new AdmNetwork(graph.unet(), extra, kernels);
        String n = condName == null ? null : "train_unconditional_embedding." + condName;
        this.nullName = n != null && graph.guidance() != null && graph.guidance().dimCond().containsKey(condName) ? n : null;
    }

    long allocations() {
        return network.arena().allocations();
    }

    long arenaBytes() {
        return network.arena().allocatedBytes();
    }

    GradientBuffer gradients() {
        return network.gradients();
    }

    /** Loss terms ("loss", "mse", hybrid "vlb") of the feed; the gradients are accumulated into the buffer. */
    Map<String, Double> run(Map<String, INDArray> feed, boolean backward) {
        Arena arena = network.arena();
        try {
            INDArray xt = contiguous(feed.get(TrainingFeed.XT));
            INDArray t = feed.get(TrainingFeed.T);
            long b = xt.size(0);
            INDArray cond = condition(feed, b);
            Map<String, INDArray> masks = new LinkedHashMap<>();
            feed.forEach((k, v) -> {
                if (k.startsWith("dropout.")) {
                    masks.put(k, v);
                }
            });
            long t0 = org.diffusionlabs.engine.Profile.start();
            AdmNetwork.Output out = network.forward(xt, t, cond, masks, backward);
            org.diffusionlabs.engine.Profile.add("== network forward", t0);
            t0 = org.diffusionlabs.engine.Profile.start();
            INDArray dPred = arena.take(out.prediction().shape());
            INDArray dVar = out.varianceValue() == null ? null : arena.take(out.varianceValue().shape());
            HybridLossHead.Vlb vlb = graph.loss() == TrainingGraph.Loss.HYBRID ? vlbInputs(feed, xt, out.prediction()) : null;
            HybridLossHead.Terms terms = HybridLossHead.compute(out.prediction(), feed.get(TrainingFeed.TARGET),
                    out.varianceValue(), vlb, dPred, dVar == null ? arena.take(1) : dVar);
            org.diffusionlabs.engine.Profile.add("loss head", t0);
            if (backward) {
                t0 = org.diffusionlabs.engine.Profile.start();
                INDArray dCond = network.backward(dPred, vlb == null ? null : dVar);
                org.diffusionlabs.engine.Profile.add("== network backward", t0);
                if (dCond != null) {
                    conditionBackward(feed, dCond, b);
                }
            }
            Map<String, Double> losses = new LinkedHashMap<>();
            losses.put(TrainingGraph.LOSS, terms.loss());
            losses.put(TrainingGraph.MSE, terms.mse());
            if (vlb != null) {
                losses.put(TrainingGraph.VLB, terms.vlb());
            }
            return losses;
        } finally {
            network.reclaim();
        }
    }

    /** The U-Net's condition [b, D]: table rows or the given vectors, null embedding where dropped; null if none. */
    private INDArray condition(Map<String, INDArray> feed, long b) {
        if (condName == null) {
            return null;
        }
        INDArray cond;
        if (graph.encoder() != null) {
            int[] labels = ints(feed.get(TrainingFeed.LABELS));
            cond = network.arena().take(b, graph.encoder().table().size(1));
            INDArray table = graph.encoder().table();
            for (int i = 0; i < b; i++) {
                cond.getRow(i).assign(table.getRow(labels[i]));
            }
        } else {
            INDArray given = feed.get(TrainingFeed.COND_PREFIX + condName);
            cond = given == null ? null : network.arena().take(given.shape()).assign(given);
        }
        if (nullName != null) {
            INDArray nul = graph.guidance().stateDict().get(nullName);
            float[] keep = floats(feed.get(TrainingFeed.KEEP_PREFIX + condName));
            if (cond == null) {
                cond = network.arena().take(b, nul.length());
                keep = new float[(int) b];
            }
            for (int i = 0; i < b; i++) {
                if (keep[i] == 0f) {
                    cond.getRow(i).assign(nul.reshape(nul.length()));
                } else if (keep[i] != 1f) {
                    cond.getRow(i).muli(keep[i]).addi(nul.reshape(nul.length()).mul(1f - keep[i]));
                }
            }
        }
        return cond;
    }

    /** Sends dCond to the null embedding (dropped rows) and the label table (kept rows). */
    private void conditionBackward(Map<String, INDArray> feed, INDArray dCond, long b) {
        GradientBuffer g = network.gradients();
        float[] keep = null;
        if (nullName != null) {
            INDArray k = feed.get(TrainingFeed.KEEP_PREFIX + condName);
            keep = k == null ? new float[(int) b] : floats(k);
            if (g.has(nullName)) {
                INDArray dNull = g.slot(nullName).grad();
                INDArray flatNull = dNull.reshape(dNull.length());
                for (int i = 0; i < b; i++) {
                    if (keep[i] != 1f) {
                        flatNull.addi(dCond.getRow(i).mul(1f - keep[i]));
                    }
                }
            }
        }
        if (graph.encoder() != null && g.has(LabelEmbedding.NAME)) {
            int[] labels = ints(feed.get(TrainingFeed.LABELS));
            INDArray dTable = g.slot(LabelEmbedding.NAME).grad();
            for (int i = 0; i < b; i++) {
                float w = keep == null ? 1f : keep[i];
                if (w != 0f) {
                    dTable.getRow(labels[i]).addi(w == 1f ? dCond.getRow(i) : dCond.getRow(i).mul(w));
                }
            }
        }
    }

    /** The VLB inputs: the detached model mean from the clamped x0 estimate, and the feed's posterior terms. */
    private HybridLossHead.Vlb vlbInputs(Map<String, INDArray> feed, INDArray xt, INDArray prediction) {
        INDArray x0Hat = xt.mul(feed.get(TrainingFeed.X0_XT)).subi(prediction.mul(feed.get(TrainingFeed.X0_PREDICTION)));
        org.nd4j.linalg.ops.transforms.Transforms.max(x0Hat, -1.0, false);
        org.nd4j.linalg.ops.transforms.Transforms.min(x0Hat, 1.0, false);
        INDArray mean = x0Hat.muli(feed.get(TrainingFeed.MEAN_X0)).addi(xt.mul(feed.get(TrainingFeed.MEAN_XT)));
        return new HybridLossHead.Vlb(mean, feed.get(TrainingFeed.Q_MEAN), feed.get(TrainingFeed.Q_LOGVAR),
                feed.get(TrainingFeed.X0), feed.get(TrainingFeed.EDGE_LOW), feed.get(TrainingFeed.EDGE_HIGH),
                feed.get(TrainingFeed.LOG_UPPER), feed.get(TrainingFeed.LOG_LOWER), feed.get(TrainingFeed.T_ZERO),
                graph.lambda());
    }

    private static float[] floats(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

    private static int[] ints(INDArray a) {
        return a.reshape(a.length()).toIntVector();
    }

    private static INDArray contiguous(INDArray a) {
        Checks.notNull(a, "TrainingPass", "x_t");
        return a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
    }

    @Override
    public void close() {
        network.close();
    }

}
