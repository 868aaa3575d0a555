package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Workspaces;
import org.diffusionlabs.nd.Rng;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ADM U-Net (Dhariwal and Nichol 2021) as diffusion_labs builds it ({@code models/adm_unet/adm.py}), on
 * SameDiff: a timestep MLP plus projected conditions summed into one embedding that FiLM-conditions every res
 * block, conditions projected to 4 cross-attention tokens, an encoder of res(+attention) stacks with average-pool
 * downsampling, a res-attention-res bottleneck, a decoder that concatenates the skips, and a variance head.
 *
 * <p>Parameters carry the reference {@code state_dict} names and shapes, so PyTorch checkpoints load here and ours
 * load there. {@link #build} adds the network to any SameDiff graph (training graphs add losses on top); the
 * {@link DenoisingModel} face runs cached inference graphs. Inference is synchronized: a SameDiff graph is not
 * thread-safe.
 */
public final class AdmUNet implements DenoisingModel {
    private final AdmUNetConfig config;
    private final Parameters params;
    private final Map<Boolean, SameDiff> inferenceGraphs = new HashMap<>();
    private AdmNetwork network;

    private AdmUNet(AdmUNetConfig config, Parameters params) {
        this.config = config;
        this.params = params;
    }

    /** A new U-Net with PyTorch's default initialisation drawn from {@code rng} in the reference's construction order. */
    public static AdmUNet create(AdmUNetConfig config, Rng rng) {
        Checks.notNull(config, "AdmUNet", "config");
        AdmUNet unet = new AdmUNet(config, new Parameters(rng));
        SameDiff sd = SameDiff.create();
        if (config.timeEmbedDim() > 0) {
            unet.build(sd, sd.placeHolder("x", DataType.FLOAT, -1, config.inChannels(), -1, -1),
                    sd.placeHolder("t", DataType.FLOAT, -1), unet.conditionPlaceholders(sd, true), 0);
        } else {
            SDVariable eAttn = config.dimAttnCond() > 0 ? sd.placeHolder("e_attn", DataType.FLOAT, -1, -1, config.dimAttnCond()) : null;
            unet.buildFromEmbeddings(sd, sd.placeHolder("x", DataType.FLOAT, -1, config.inChannels(), -1, -1),
                    sd.placeHolder("e_res", DataType.FLOAT, -1, config.dimResCond()), eAttn, 0);
        }
        return unet;
    }

    public AdmUNetConfig config() {
        return config;
    }

    /** The parameters (reference names, construction order); training updates them in place. */
    public Parameters parameters() {
        return params;
    }

    /**
     * A U-Net over the same parameter arrays (updates and loads reach both) with its own inference graphs, for
     * another thread: inference here is synchronized per instance, so concurrent callers need one instance each.
     */
    public AdmUNet replica() {
        return new AdmUNet(config, params);
    }

    /**
     * The res-block dropout sites of this U-Net for drop probability {@code p} (none when p = 0), in the order its
     * training graphs declare them, without building a graph.
     */
    public DropoutMasks dropoutMasks(double p) {
        return new AdmLayout(config).dropoutMasks(p);
    }

    /** The network's outputs in a graph, and the dropout mask placeholders it needs fed (none when p = 0). */
    public record Outputs(SDVariable prediction, SDVariable varianceValue, DropoutMasks dropout) {}

    /**
     * Adds the whole U-Net to {@code sd}.
     *
     * @param x       noisy images [b, in, h, w]
     * @param t       timesteps [b] (float)
     * @param cond    conditional inputs by name ([b, embedDim]); names other than the config's embed name are ignored
     * @param dropout res-block dropout (0 for inference graphs)
     */
    public Outputs build(SameDiff sd, SDVariable x, SDVariable t, Map<String, SDVariable> cond, double dropout) {
        return buildGraph(sd, x, t, cond, dropout);
    }

    /**
     * {@link #build} for a graph that will be differentiated: ops whose fused inference form would round the
     * gradient differently keep their composed form (see {@code AdmLayers.silu}).
     */
    public Outputs buildForTraining(SameDiff sd, SDVariable x, SDVariable t, Map<String, SDVariable> cond, double dropout) {
        return AdmLayers.differentiated(() -> buildGraph(sd, x, t, cond, dropout));
    }

    private Outputs buildGraph(SameDiff sd, SDVariable x, SDVariable t, Map<String, SDVariable> cond, double dropout) {
        Checks.require(config.timeEmbedDim() > 0, "AdmUNet", "timeEmbedDim", 0, "this U-Net has no timestep encoder");
        long d = config.dimResCond();
        AdmLayers.Linear time1 = AdmLayers.declareLinear(sd, params, "timestep_encoder.1", config.timeEmbedDim(), d);
        AdmLayers.Linear time3 = AdmLayers.declareLinear(sd, params, "timestep_encoder.3", d, d);
        String name = config.embedName();
        AdmLayers.Linear resProj = config.embedDim() > 0
                ? AdmLayers.declareLinear(sd, params, "res_cond_proj." + name, config.embedDim(), d) : null;
        AdmLayers.Linear attnProj = config.embedDim() > 0 && config.dimAttnCond() > 0
                ? AdmLayers.declareLinear(sd, params, "attn_cond_proj." + name + ".0", config.embedDim(), 4L * config.dimAttnCond())
                : null;
        SDVariable eRes = time3.apply(AdmLayers.silu(sd, time1.apply(TimestepEmbedding.build(sd, t, config.timeEmbedDim()))));
        SDVariable eAttn = null;
        SDVariable c = cond == null ? null : cond.get(name);
        if (c != null && resProj != null) {
            eRes = eRes.add(resProj.apply(c));
        }
        if (c != null && attnProj != null) {
            eAttn = sd.reshape(attnProj.apply(c), -1, 4, config.dimAttnCond());
        }
        return buildFromEmbeddings(sd, x, eRes, eAttn, dropout);
    }

    /** Adds the U-Net body given the residual embedding [b, dimResCond] and attention tokens [b, n, dimAttnCond]. */
    public Outputs buildFromEmbeddings(SameDiff sd, SDVariable x, SDVariable eRes, SDVariable eAttn, double dropout) {
        DropoutMasks masks = new DropoutMasks(dropout);
        int[] ch = config.channelsPerLayer();
        boolean[] att = config.useAttentionForLayer();
        int layers = ch.length;
        int perLayer = config.numResPerLayer();
        long d = config.dimResCond();
        long dc = config.dimAttnCond();
        Deque<SDVariable> skips = new ArrayDeque<>();
        Deque<Long> skipChannels = new ArrayDeque<>();

        SDVariable h = AdmLayers.declareConv(sd, params, "down.0._module_list.0", config.inChannels(), ch[0], 3).apply(x);
        skips.push(h);
        skipChannels.push((long) ch[0]);
        int idx = 1;
        long prev = ch[0];
        int factor = 1;
        for (int l = 0; l < layers; l++) {
            for (int r = 0; r < perLayer; r++, idx++) {
                String p = "down." + idx + "._module_list.";
                h = AdmResBlock.of(prev, ch[l], d, Resample.NONE).build(sd, params, p + 0, h, eRes, masks, factor);
                if (att[l]) {
                    h = AdmAttentionBlock.of(ch[l], dc).build(sd, params, p + 1, h, eAttn);
                }
                skips.push(h);
                skipChannels.push((long) ch[l]);
                prev = ch[l];
            }
            if (l < config.numResize()) {
                factor *= 2;
                h = AdmResBlock.of(ch[l], ch[l], d, Resample.DOWN).build(sd, params, "down." + idx + "._module_list.0", h, eRes,
                        masks, factor);
                skips.push(h);
                skipChannels.push((long) ch[l]);
                idx++;
            }
        }
        long last = ch[layers - 1];
        h = AdmResBlock.of(last, last, d, Resample.NONE).build(sd, params, "bottleneck._module_list.0", h, eRes, masks, factor);
        h = AdmAttentionBlock.of(last, dc).build(sd, params, "bottleneck._module_list.1", h, eAttn);
        h = AdmResBlock.of(last, last, d, Resample.NONE).build(sd, params, "bottleneck._module_list.2", h, eRes, masks, factor);

        idx = 0;
        prev = last;
        for (int j = 0; j < layers; j++) {
            int l = layers - 1 - j;
            for (int r = 0; r <= perLayer; r++, idx++) {
                String p = "up." + idx + "._module_list.";
                long skipC = 0;
                if (!skips.isEmpty()) {
                    skipC = skipChannels.pop();
                    h = sd.concat(1, h, skips.pop());
                }
                h = AdmResBlock.of(prev + skipC, ch[l], d, Resample.NONE).build(sd, params, p + 0, h, eRes, masks, factor);
                int k = 1;
                if (att[l]) {
                    h = AdmAttentionBlock.of(ch[l], dc).build(sd, params, p + k++, h, eAttn);
                }
                if (r == perLayer && j < config.numResize()) {
                    factor /= 2;
                    h = AdmResBlock.of(ch[l], ch[l], d, Resample.UP).build(sd, params, p + k, h, eRes, masks, factor);
                }
                prev = ch[l];
            }
        }
        String head = "up." + idx + "._module_list.0.";
        if (!skips.isEmpty()) {
            h = sd.concat(1, h, skips.pop());
        }
        params.reserve(head + "0.weight", head + "0.bias");
        AdmLayers.Conv out = AdmLayers.declareConv(sd, params, head + 2, ch[0], config.outChannels(), 3);
        h = out.apply(AdmLayers.silu(sd, AdmLayers.groupNorm(sd, params, head + 0, h, ch[0], AdmUNetConfig.NORM_GROUPS, 1e-5)));
        if (!config.predictVarianceValue()) {
            return new Outputs(sd.identity("prediction", h), null, masks);
        }
        long c = config.inChannels();
        SDVariable prediction = sd.identity("prediction", h.get(SDIndex.all(), SDIndex.interval(0L, c)));
        SDVariable variance = h.get(SDIndex.all(), SDIndex.interval(c, 2 * c)).add(1.0).div(2.0);
        return new Outputs(prediction, sd.identity("variance_value", variance), masks);
    }

    /**
     * The engine's inference forward ({@link AdmNetwork}: no activations kept, intermediates recycled): prediction
     * and (with a variance head) variance value for x_t at steps t, conditioned on {@code c}'s embed name when present.
     */
    @Override
    public synchronized DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c) {
        // the network's arena lives outside any caller's loop workspace; the outputs are fresh detached copies
        return Workspaces.outside(() -> runEngine(xt, t, c));
    }

    private DiffusionOutput runEngine(INDArray xt, INDArray t, Conditioning c) {
        INDArray cond = checkInputs(xt, t, c);
        if (network == null) {
            network = new AdmNetwork(this, Map.of(), Kernels.get());
        }
        long t0 = org.diffusionlabs.engine.Profile.start();
        try {
            INDArray x = xt.dataType() == DataType.FLOAT && xt.ordering() == 'c' && !xt.isView() ? xt : xt.castTo(DataType.FLOAT).dup('c');
            INDArray tf = t.castTo(DataType.FLOAT).reshape(xt.size(0));
            AdmNetwork.Output out = network.forward(x, tf, cond == null ? null : cond.castTo(DataType.FLOAT).dup('c'), Map.of(), false);
            return out.varianceValue() == null ? DiffusionOutput.of(out.prediction().dup())
                    : DiffusionOutput.of(out.prediction().dup(), out.varianceValue().dup());
        } finally {
            network.reclaim();
            org.diffusionlabs.engine.Profile.add("= predict (whole U-Net call)", t0);
        }
    }

    /** Frees the engine's intermediates now ({@link AdmNetwork#releaseMemory}); the next prediction allocates them again. */
    @Override
    public synchronized void releaseMemory() {
        if (network != null) {
            network.releaseMemory();
        }
    }

    /** The SameDiff inference graph's output: the test oracle of {@link #predict}. */
    public synchronized DiffusionOutput referencePredict(INDArray xt, INDArray t, Conditioning c) {
        return Workspaces.outside(() -> run(xt, t, c));
    }

    private INDArray checkInputs(INDArray xt, INDArray t, Conditioning c) {
        Checks.require(xt.rank() == 4 && xt.size(1) == config.inChannels(), "AdmUNet", "xt",
                java.util.Arrays.toString(xt.shape()), "must be [b, " + config.inChannels() + ", h, w]");
        Checks.require(t.length() == xt.size(0), "AdmUNet", "t", java.util.Arrays.toString(t.shape()),
                "needs one timestep per sample (" + xt.size(0) + ")");
        INDArray cond = config.embedDim() > 0 ? c.get(config.embedName()) : null;
        if (cond != null) {
            Checks.require(cond.rank() == 2 && cond.size(0) == xt.size(0) && cond.size(1) == config.embedDim(),
                    "AdmUNet", config.embedName(), java.util.Arrays.toString(cond.shape()),
                    "must be [" + xt.size(0) + ", " + config.embedDim() + "]");
        }
        return cond;
    }

    private DiffusionOutput run(INDArray xt, INDArray t, Conditioning c) {
        INDArray cond = checkInputs(xt, t, c);
        SameDiff sd = inferenceGraph(cond != null);
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put("x", xt.castTo(DataType.FLOAT));
        feed.put("t", t.castTo(DataType.FLOAT).reshape(xt.size(0)));
        if (cond != null) {
            feed.put("cond." + config.embedName(), cond.castTo(DataType.FLOAT));
        }
        if (!config.predictVarianceValue()) {
            return DiffusionOutput.of(Workspaces.detach(sd.output(feed, "prediction").get("prediction")));
        }
        Map<String, INDArray> out = sd.output(feed, "prediction", "variance_value");
        return DiffusionOutput.of(Workspaces.detach(out.get("prediction")), Workspaces.detach(out.get("variance_value")));
    }

    private SameDiff inferenceGraph(boolean conditional) {
        return inferenceGraphs.computeIfAbsent(conditional, cond -> {
            SameDiff sd = SameDiff.create();
            build(sd, sd.placeHolder("x", DataType.FLOAT, -1, config.inChannels(), -1, -1),
                    sd.placeHolder("t", DataType.FLOAT, -1), conditionPlaceholders(sd, cond), 0);
            StrideGuard.install(sd);
            return sd;
        });
    }

    private Map<String, SDVariable> conditionPlaceholders(SameDiff sd, boolean present) {
        Map<String, SDVariable> cond = new LinkedHashMap<>();
        if (present && config.embedDim() > 0) {
            cond.put(config.embedName(), sd.placeHolder("cond." + config.embedName(), DataType.FLOAT, -1, config.embedDim()));
        }
        return cond;
    }
}
