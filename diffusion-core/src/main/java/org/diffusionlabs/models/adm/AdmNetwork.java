package org.diffusionlabs.models.adm;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.engine.nn.Embeddings;
import org.diffusionlabs.engine.nn.Linear;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ADM U-Net of an {@link AdmUNet} on the engine: explicit forward and backward over the U-Net's live parameter
 * arrays, gradients in one flat {@link GradientBuffer}, every intermediate from one {@link Arena}. The timestep MLP
 * and the condition projections feed the {@link AdmBody}; the head splits prediction and variance value
 * ((v + 1)/2). Arrays it returns live until {@link #reclaim}. One instance per thread.
 */
public final class AdmNetwork implements AutoCloseable {
    /** The network's outputs (arena arrays), varianceValue null without a variance head. */
    public record Output(INDArray prediction, INDArray varianceValue) {}

    private final AdmUNetConfig config;
    private final GradientBuffer grads;
    private final Arena arena = new Arena();
    private final Kernels kernels;
    private final Linear time1;
    private final Linear time3;
    private final Linear resProj;
    private final Linear attnProj;
    private final AdmBody body;
    private final float[] freq;
    private INDArray time1Out;
    private INDArray eRes;
    private Embeddings embeddings;
    private boolean conditioned;
    private boolean channelsLast = CHANNELS_LAST;

    /**
     * System property: {@code false} runs inference NCHW like training; by default it runs channels-last
     * ({@link AdmBody#forwardNhwc}).
     */
    public static final String CHANNELS_LAST_PROPERTY = "diffusion.engine.channelsLast";
    private static final boolean CHANNELS_LAST = !"false".equals(System.getProperty(CHANNELS_LAST_PROPERTY));

    /**
     * @param unet   the U-Net whose parameters this network reads (live: updates reach it)
     * @param extra  further trained arrays whose gradients share the buffer (label table, null embeddings), in order
     */
    public AdmNetwork(AdmUNet unet, Map<String, INDArray> extra, Kernels kernels) {
        this.config = unet.config();
        Checks.require(config.timeEmbedDim() > 0, "AdmNetwork", "timeEmbedDim", 0, "this U-Net has no timestep encoder");
        Map<String, INDArray> all = new LinkedHashMap<>(unet.parameters().asMap());
        all.putAll(extra);
        this.grads = new GradientBuffer(all);
        this.kernels = kernels;
        this.time1 = new Linear(grads, "timestep_encoder.1");
        this.time3 = new Linear(grads, "timestep_encoder.3");
        String name = config.embedName();
        this.resProj = config.embedDim() > 0 ? new Linear(grads, "res_cond_proj." + name) : null;
        this.attnProj = config.embedDim() > 0 && config.dimAttnCond() > 0 ? new Linear(grads, "attn_cond_proj." + name + ".0") : null;
        this.body = new AdmBody(config, grads, kernels);
        int half = config.timeEmbedDim() / 2;
        float c = (float) (Math.log(10000) / (half - 1));
        this.freq = new float[half];
        for (int k = 0; k < half; k++) {
            freq[k] = (float) Math.exp((float) k * -c);
        }
    }

    /** Chooses the inference layout of this network (channels-last or NCHW); for tests comparing the two. */
    void channelsLast(boolean on) {
        this.channelsLast = on;
    }

    public GradientBuffer gradients() {
        return grads;
    }

    public Arena arena() {
        return arena;
    }

    /**
     * @param x       noisy images [b, in, h, w] float32 c-order
     * @param t       timesteps [b]
     * @param cond    condition [b, embedDim] or null (unconditional)
     * @param dropout masks by site ({@code dropout.<block>}) for training, or an empty map
     * @param train   keep what {@link #backward} needs
     */
    public Output forward(INDArray x, INDArray t, INDArray cond, Map<String, INDArray> dropout, boolean train) {
        long b = x.size(0);
        Checks.require(x.rank() == 4 && x.size(1) == config.inChannels(), "AdmNetwork", "x", Arrays.toString(x.shape()),
                "must be [b, " + config.inChannels() + ", h, w]");
        INDArray temb = timestepEmbedding(t, b);
        INDArray h1 = time1.forward(arena, temb, train);
        INDArray a1 = arena.take(h1.shape());
        kernels.siluForward(h1, a1);
        INDArray e = time3.forward(arena, a1, train);
        INDArray tokens = null;
        conditioned = cond != null && resProj != null;
        if (conditioned) {
            INDArray r = resProj.forward(arena, cond, train);
            e.addi(r);
            if (attnProj != null) {
                tokens = attnProj.forward(arena, cond, train).reshape(b * 4, config.dimAttnCond());
            }
        }
        INDArray act = arena.take(e.shape());
        kernels.siluForward(e, act);
        embeddings = new Embeddings(act, tokens, train ? arena.zeros(act.shape()) : null,
                train && tokens != null ? arena.zeros(tokens.shape()) : null, dropout);
        time1Out = h1;
        eRes = e;
        long c = config.inChannels();
        if (!train && channelsLast) {
            return inferNhwc(x, c);
        }
        INDArray out = body.forward(arena, x, embeddings, train);
        if (!config.predictVarianceValue()) {
            return new Output(out, null);
        }
        INDArray prediction = arena.take(b, c, x.size(2), x.size(3)).assign(out.get(AdmBody.channels(0, c)));
        INDArray variance = arena.take(b, c, x.size(2), x.size(3)).assign(out.get(AdmBody.channels(c, 2 * c)));
        variance.addi(1.0).divi(2.0);
        arena.give(out);
        return new Output(prediction, variance);
    }

    /** The inference body over channels-last arrays; the outputs come back [b, c, h, w]. */
    private Output inferNhwc(INDArray x, long c) {
        long b = x.size(0);
        INDArray xh = arena.take(b, x.size(2), x.size(3), x.size(1)).assign(x.permute(0, 2, 3, 1));
        INDArray out = body.forwardNhwc(arena, xh, embeddings);
        arena.give(xh);
        long oc = out.size(3);
        long pc = config.predictVarianceValue() ? c : oc;
        INDArray prediction = arena.take(b, pc, x.size(2), x.size(3))
                .assign(out.get(lastAxis(0, pc)).permute(0, 3, 1, 2));
        INDArray variance = null;
        if (config.predictVarianceValue()) {
            variance = arena.take(b, c, x.size(2), x.size(3)).assign(out.get(lastAxis(c, 2 * c)).permute(0, 3, 1, 2));
            variance.addi(1.0).divi(2.0);
        }
        arena.give(out);
        return new Output(prediction, variance);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex[] lastAxis(long from, long to) {
        org.nd4j.linalg.indexing.INDArrayIndex all = org.nd4j.linalg.indexing.NDArrayIndex.all();
        return new org.nd4j.linalg.indexing.INDArrayIndex[] {all, all, all,
                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)};
    }

    /**
     * Backward of the last training forward: accumulates the gradient of every parameter into {@link #gradients()}
     * and returns the condition's gradient [b, embedDim] (null when unconditioned).
     *
     * @param dPrediction gradient of the prediction
     * @param dVariance   gradient of the variance value, or null
     */
    public INDArray backward(INDArray dPrediction, INDArray dVariance) {
        long b = dPrediction.size(0);
        long c = config.inChannels();
        INDArray dOut;
        if (config.predictVarianceValue()) {
            dOut = arena.take(b, 2 * c, dPrediction.size(2), dPrediction.size(3));
            dOut.get(AdmBody.channels(0, c)).assign(dPrediction);
            INDArray dv = dOut.get(AdmBody.channels(c, 2 * c));
            if (dVariance == null) {
                dv.assign(0);
            } else {
                dv.assign(dVariance).divi(2.0);
            }
        } else {
            dOut = arena.take(dPrediction.shape()).assign(dPrediction);
        }
        Embeddings e = embeddings;
        body.backward(arena, dOut, e);
        INDArray dE = arena.take(eRes.shape());
        kernels.siluBackward(eRes, e.dResAct, dE);
        INDArray dCond = null;
        if (conditioned) {
            dCond = resProj.backward(arena, dE, true);
            if (attnProj != null) {
                INDArray dc = attnProj.backward(arena, e.dTokens.reshape(b, 4L * config.dimAttnCond()), true);
                dCond.addi(dc);
                arena.give(dc);
            }
        }
        INDArray dA1 = time3.backward(arena, dE, true);
        kernels.siluBackward(time1Out, dA1, dA1);
        time1.backward(arena, dA1, false);
        embeddings = null;
        return dCond;
    }

    /** Returns every array of the last pass to the arena (outputs and gradients it returned become invalid). */
    public void reclaim() {
        arena.reclaim();
    }

    /** Frees the intermediates' memory now ({@link Arena#release}); the next pass allocates it again. */
    public void releaseMemory() {
        arena.release();
    }

    /** [sin(t·f), cos(t·f)] in float32 as {@code TimestepEmbedding}, a zero column when the width is odd. */
    private INDArray timestepEmbedding(INDArray t, long b) {
        int dim = config.timeEmbedDim();
        int half = freq.length;
        float[] row = new float[(int) b * dim];
        for (int i = 0; i < b; i++) {
            float ti = t.getFloat(i);
            for (int k = 0; k < half; k++) {
                float arg = ti * freq[k];
                row[i * dim + k] = (float) Math.sin(arg);
                row[i * dim + half + k] = (float) Math.cos(arg);
            }
        }
        INDArray emb = arena.take(b, dim);
        emb.data().setData(row);
        return emb;
    }

    @Override
    public void close() {
        arena.close();
        grads.close();
    }
}
