package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.losses.VlbLossGraph;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.DropoutMasks;
import org.diffusionlabs.models.adm.StrideGuard;
import org.diffusionlabs.nd.SameDiffChatter;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TrainingGraph} written in SameDiff: the test oracle of the engine's forward and backward. Same U-Net
 * (the SameDiff form of {@link AdmUNet}), same loss, dropout sites and feed ({@link TrainingFeed}); SameDiff's
 * automatic differentiation gives the gradients the engine's hand-written backward must match. Built on first use,
 * never on the training path.
 */
public final class TrainingGraphOracle {
    private final TrainingGraph graph;
    private SameDiff sd;
    private boolean guarded;

    TrainingGraphOracle(TrainingGraph graph) {
        this.graph = graph;
    }

    /** The SameDiff graph, built on first use. */
    public synchronized SameDiff sameDiff() {
        if (sd == null) {
            sd = Workspaces.outside(this::build);
        }
        return sd;
    }

    /** Loss terms for one batch: the oracle of {@link TrainingGraph#evaluate}. */
    public Map<String, Double> evaluate(Map<String, INDArray> feed) {
        List<String> names = lossNames();
        return Workspaces.outside(() -> scalars(sameDiff().output(feed, names.toArray(new String[0])), names));
    }

    /** Loss terms and gradients: the oracle of {@link TrainingGraph#lossAndGradients}. */
    public TrainingGraph.Step lossAndGradients(Map<String, INDArray> feed) {
        List<String> names = lossNames();
        List<String> params = List.copyOf(graph.trainables().keySet());
        Map<String, INDArray> out = runGradientFunction(feed, names, params);
        return new TrainingGraph.Step(scalars(out, names), Workspaces.detach(orderedGradients(out, params)));
    }

    /**
     * Runs SameDiff's gradient function for {@code outputs} and the gradients of {@code params} (returned under
     * the gradient variables' names). Unlike {@code SameDiff.calculateGradientsAndOutputs}, which switches the
     * gradient function's array cache off (every intermediate then becomes a fresh native allocation left to the
     * garbage collector: RSS grows to the JavaCPP cap and most of a step is spent allocating), this keeps the
     * session's array cache on, so intermediates are recycled within and across steps. Arrays the cache may hand
     * out again never include requested outputs (they are held for the caller). {@link StrideGuard} guards the
     * oneDNN helpers against recycled arrays with inconsistent order flags.
     */
    private Map<String, INDArray> runGradientFunction(Map<String, INDArray> feed, List<String> outputs, List<String> params) {
        // The gradient function, its session and array cache live outside the caller's step workspace (the feed
        // may be attached to it: SameDiff only reads it while the scope is open).
        return Workspaces.outside(() -> runGradientFunctionOutside(feed, outputs, params));
    }

    private Map<String, INDArray> runGradientFunctionOutside(Map<String, INDArray> feed, List<String> outputs,
                                                            List<String> params) {
        if (!sameDiff().hasGradientFunction()) {
            SameDiffChatter.quiet(() -> sameDiff().createGradFunction());
        }
        SameDiff gradFn = sameDiff().getFunction("grad");
        if (!guarded) {
            StrideGuard.install(gradFn);
            guarded = true;
        }
        sizeArrayCache(gradFn);
        gradFn.setEnableCache(true); // calculateGradients(AndOutputs) on this graph switches it off for good
        List<String> names = new ArrayList<>(outputs);
        params.stream().map(this::gradientName).filter(java.util.Objects::nonNull).forEach(names::add);
        return gradFn.output(feed, names.toArray(new String[0]));
    }

    /**
     * System property overriding the byte budget of the gradient function's array cache ({@link #cacheBytes()}).
     */
    public static final String CACHE_BYTES_PROPERTY = "diffusion.samediff.cacheBytes";

    /**
     * Gives this thread's session of the gradient function an array cache of {@link #cacheBytes()} bytes. ND4J's
     * default (a quarter of {@code org.bytedeco.javacpp.maxbytes}, i.e. 1 GB under -Xmx4g) is just below the
     * ~1.1 GB a small-config step at batch 32 recycles, so it evicted and re-allocated every step (higher RSS, page
     * faults). The cache holds only arrays the step released, so the budget is a cap, not a reservation.
     */
    private static void sizeArrayCache(SameDiff gradFn) {
        long thread = Thread.currentThread().getId();
        InferenceSession session = gradFn.getSessions().computeIfAbsent(thread, k -> new InferenceSession(gradFn));
        if (session.getMmgr() instanceof ArrayCacheMemoryMgr cache) {
            long bytes = cacheBytes();
            if (cache.getMaxCacheBytes() < bytes) {
                cache.setMaxCacheBytes(bytes);
            }
        }
    }

    /**
     * The array-cache budget: {@value #CACHE_BYTES_PROPERTY} if set (bytes), else half of JavaCPP's
     * {@code maxphysicalbytes} cap (8 GB under the launcher's 16 GB), else ND4J's default.
     */
    static long cacheBytes() {
        String configured = System.getProperty(CACHE_BYTES_PROPERTY);
        if (configured != null) {
            return Long.parseLong(configured.trim());
        }
        long physical = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        return physical > 0 ? physical / 2 : 0;
    }

    private String gradientName(String param) {
        SDVariable g = sameDiff().getVariable(param).getGradient();
        return g == null ? null : g.name();
    }

    /** Gradients of every trained array: the oracle of {@link TrainingGraph#gradients}. */
    public Map<String, INDArray> gradients(Map<String, INDArray> feed) {
        List<String> params = List.copyOf(graph.trainables().keySet());
        return Workspaces.detach(orderedGradients(runGradientFunction(feed, List.of(), params), params));
    }

    /** The graph in SameDiff; its dropout sites must be the ones the engine was given. */
    private SameDiff build() {
        AdmUNet unet = graph.unet();
        LabelEmbedding encoder = graph.encoder();
        ClassifierFreeGuidance guidance = graph.guidance();
        DropoutMasks dropout = graph.dropout();
        long c = unet.config().inChannels();
        SameDiff sd = SameDiff.create();
        SDVariable xt = sd.placeHolder(TrainingFeed.XT, DataType.FLOAT, -1, c, -1, -1);
        SDVariable t = sd.placeHolder(TrainingFeed.T, DataType.FLOAT, -1);
        Map<String, SDVariable> cond = new LinkedHashMap<>();
        if (unet.config().embedDim() > 0) {
            String name = unet.config().embedName();
            cond.put(name, encoder != null
                    ? encoder.build(sd, sd.placeHolder(TrainingFeed.LABELS, DataType.INT, -1))
                    : sd.placeHolder(TrainingFeed.COND_PREFIX + name, DataType.FLOAT, -1, unet.config().embedDim()));
        }
        if (guidance != null) {
            Map<String, SDVariable> keeps = new LinkedHashMap<>();
            for (String key : guidance.dimCond().keySet()) {
                keeps.put(key, sd.placeHolder(TrainingFeed.KEEP_PREFIX + key, DataType.FLOAT, -1, 1));
            }
            cond = guidance.buildTraining(sd, cond, keeps);
        }
        SDVariable target = sd.placeHolder(TrainingFeed.TARGET, DataType.FLOAT, -1, c, -1, -1);
        AdmUNet.Outputs out = unet.buildForTraining(sd, xt, t, cond, dropout.p());
        SDVariable diff = out.prediction().sub(target);
        SDVariable mse = sd.identity(TrainingGraph.MSE, diff.mul(diff).mean());
        SDVariable total = mse;
        if (graph.loss() == TrainingGraph.Loss.HYBRID) {
            SDVariable vlb = sd.identity(TrainingGraph.VLB, vlb(sd, xt, out, c).mean());
            total = mse.add(vlb.mul(graph.lambda()));
        }
        sd.identity(TrainingGraph.LOSS, total);
        sd.setLossVariables(TrainingGraph.LOSS);
        if (!out.dropout().sites().equals(dropout.sites())) {
            throw new IllegalStateException("TrainingGraph: the SameDiff graph's dropout sites " + out.dropout().sites()
                    + " differ from the engine layout's " + dropout.sites());
        }
        return sd;
    }

    /** x0 from the prediction (clamped to [−1, 1]); mean from x0; log σ² = v·log β + (1 − v)·log β̃; VLB per sample. */
    private static SDVariable vlb(SameDiff sd, SDVariable xt, AdmUNet.Outputs out, long c) {
        SDVariable x0Hat = sd.math().clipByValue(x0Estimate(sd, xt, out.prediction()), -1.0, 1.0);
        SDVariable mean = x0Hat.mul(coef(sd, TrainingFeed.MEAN_X0)).add(xt.mul(coef(sd, TrainingFeed.MEAN_XT)));
        SDVariable detached = new StopGradient(sd, mean).outputVariable();
        SDVariable v = out.varianceValue();
        SDVariable logVar = v.mul(coef(sd, TrainingFeed.LOG_UPPER)).add(v.rsub(1.0).mul(coef(sd, TrainingFeed.LOG_LOWER)));
        SDVariable qMean = sd.placeHolder(TrainingFeed.Q_MEAN, DataType.FLOAT, -1, c, -1, -1);
        SDVariable qLogVar = sd.placeHolder(TrainingFeed.Q_LOGVAR, DataType.FLOAT, -1, c, -1, -1);
        SDVariable x0 = sd.placeHolder(TrainingFeed.X0, DataType.FLOAT, -1, c, -1, -1);
        SDVariable low = sd.placeHolder(TrainingFeed.EDGE_LOW, DataType.FLOAT, -1, c, -1, -1);
        SDVariable high = sd.placeHolder(TrainingFeed.EDGE_HIGH, DataType.FLOAT, -1, c, -1, -1);
        SDVariable tZero = sd.placeHolder(TrainingFeed.T_ZERO, DataType.FLOAT, -1);
        return VlbLossGraph.perSample(sd, qMean, qLogVar, detached, logVar, x0, low, high, tZero);
    }

    /** The unclamped x0 by the predictor's {@link org.diffusionlabs.predictors.X0Form}, fed as coefficients. */
    private static SDVariable x0Estimate(SameDiff sd, SDVariable xt, SDVariable predicted) {
        return xt.mul(coef(sd, TrainingFeed.X0_XT)).sub(predicted.mul(coef(sd, TrainingFeed.X0_PREDICTION)));
    }

    private static SDVariable coef(SameDiff sd, String name) {
        return sd.placeHolder(name, DataType.FLOAT, -1, 1, 1, 1);
    }

    private List<String> lossNames() {
        return graph.loss() == TrainingGraph.Loss.HYBRID ? List.of(TrainingGraph.LOSS, TrainingGraph.MSE, TrainingGraph.VLB) : List.of(TrainingGraph.LOSS, TrainingGraph.MSE);
    }

    private static Map<String, Double> scalars(Map<String, INDArray> out, List<String> names) {
        Map<String, Double> values = new LinkedHashMap<>();
        names.forEach(n -> values.put(n, out.get(n).getDouble(0)));
        return values;
    }

    /** The gradients of {@code params} from a gradient-function output, in the order of {@code params}. */
    private Map<String, INDArray> orderedGradients(Map<String, INDArray> out, List<String> params) {
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        params.forEach(p -> ordered.put(p, gradientName(p) == null ? null : out.get(gradientName(p))));
        return ordered;
    }
}
