package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.losses.VlbLossGraph;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.DropoutMasks;
import org.diffusionlabs.models.adm.StrideGuard;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.SameDiffChatter;
import org.diffusionlabs.nd.Workspaces;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.Schedule;
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
 * The differentiable part of one diffusion training step as a SameDiff graph: the U-Net on (x_t, t, condition),
 * the predictor's clamped x0 (from predicted noise, x0 or v: {@link PredictionType}), the DDPM training posterior
 * (mean from the clamped x0, log variance interpolated by the predicted variance value), and the loss —
 * MSE(prediction, target) with the target ε, x0 or v (the predictor's training target), plus 0.001·VLB(stopgrad(mean), log σ²)
 * for the hybrid loss of Improved DDPM. Everything that depends only on data and the schedule (per-sample
 * coefficients, the true posterior, branch masks) is computed eagerly in float64 by {@link TrainingFeed} and fed as
 * placeholders.
 */
public final class TrainingGraph {
    /** Loss variants. */
    public enum Loss { MSE, HYBRID }

    public static final String LOSS = "loss";
    public static final String MSE = "mse";
    public static final String VLB = "vlb";
    private SameDiff sd;
    private final AdmUNet unet;
    private final ClassifierFreeGuidance guidance;
    private final LabelEmbedding encoder;
    private final DropoutMasks dropout;
    private final Loss loss;
    private final PredictionType prediction;
    private final double lambda;
    private boolean guarded;
    private TrainingPass pass;

    private TrainingGraph(SameDiff sd, AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder,
                          DropoutMasks dropout, Loss loss, PredictionType prediction, double lambda) {
        this.sd = sd;
        this.unet = unet;
        this.guidance = guidance;
        this.encoder = encoder;
        this.dropout = dropout;
        this.loss = loss;
        this.prediction = prediction;
        this.lambda = lambda;
    }

    /**
     * Builds the graph over the U-Net's parameters (shared arrays: optimiser updates reach every graph of the model).
     *
     * @param dropout res-block dropout during training
     * @param lambda  VLB weight of the hybrid loss (0.001 in the reference)
     */
    public static TrainingGraph build(AdmUNet unet, Loss loss, double dropout, double lambda) {
        return build(unet, null, loss, dropout, lambda);
    }

    /**
     * As {@link #build(AdmUNet, Loss, double, double)} with classifier-free guidance training: each condition is
     * replaced by the adapter's (learned) null embedding where the batch's keep mask is 0
     * ({@link TrainingFeed#KEEP_PREFIX}); the null embedding is a trained variable of the graph.
     *
     * @param guidance the adapter wrapping {@code unet}, or null for none
     */
    public static TrainingGraph build(AdmUNet unet, ClassifierFreeGuidance guidance, Loss loss, double dropout,
                                      double lambda) {
        return build(unet, guidance, null, loss, dropout, lambda);
    }

    /**
     * As above, with the condition produced in the graph from integer class labels ({@link TrainingFeed#LABELS})
     * by a learned {@link LabelEmbedding} trained jointly with the U-Net (the reference tutorial's encoder).
     *
     * @param encoder the label encoder, or null to feed condition vectors directly
     */
    public static TrainingGraph build(AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder, Loss loss,
                                      double dropout, double lambda) {
        return build(unet, guidance, encoder, loss, PredictionType.NOISE, dropout, lambda);
    }

    /**
     * As above, for a network that predicts {@code prediction}: the MSE regresses it on ε, x0 or v (fed as
     * {@link TrainingFeed#TARGET}, the predictor's training target), and the hybrid loss's posterior mean uses the x0
     * that the matching eager predictor derives from it, clamped to [−1, 1].
     */
    public static TrainingGraph build(AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder, Loss loss,
                                      PredictionType prediction, double dropout, double lambda) {
        Checks.notNull(unet, "TrainingGraph", "unet");
        Checks.notNull(prediction, "TrainingGraph", "prediction");
        Checks.require(lambda >= 0 && Double.isFinite(lambda), "TrainingGraph", "lambda", lambda, "must be finite and >= 0");
        Checks.require(loss == Loss.MSE || unet.config().predictVarianceValue(), "TrainingGraph", "loss", loss,
                "the hybrid loss needs a U-Net that predicts the variance value");
        return new TrainingGraph(null, unet, guidance, encoder, unet.dropoutMasks(dropout), loss, prediction, lambda);
    }

    /**
     * The SameDiff form of this graph (the test oracle), built on first use; its dropout sites must be the ones the
     * engine was given.
     */
    private SameDiff buildSameDiff() {
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
        SDVariable mse = sd.identity(MSE, diff.mul(diff).mean());
        SDVariable total = mse;
        if (loss == Loss.HYBRID) {
            SDVariable vlb = sd.identity(VLB, vlb(sd, xt, out, c).mean());
            total = mse.add(vlb.mul(lambda));
        }
        sd.identity(LOSS, total);
        sd.setLossVariables(LOSS);
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

    /**
     * Another graph of the same model over the same parameter arrays (as {@link #build} shares them), for another
     * thread: a SameDiff graph and its sessions are not thread-safe, but several graphs may read the shared
     * parameters concurrently while nothing updates them. Same loss, prediction, dropout sites and placeholders,
     * so the same feed gives the same bits on a thread with the same OpenMP thread count.
     */
    public TrainingGraph replica() {
        return build(unet, guidance, encoder, loss, prediction, dropout.p(), lambda);
    }

    /** The SameDiff form of the graph (the test oracle of the engine), built on first use. */
    public synchronized SameDiff sameDiff() {
        if (sd == null) {
            sd = Workspaces.outside(this::buildSameDiff);
        }
        return sd;
    }

    public AdmUNet unet() {
        return unet;
    }

    /** The res-block dropout sites whose masks each step must feed (none when the dropout is 0). */
    public DropoutMasks dropout() {
        return dropout;
    }

    /** The label encoder trained with the U-Net, or null when condition vectors are fed. */
    public LabelEmbedding encoder() {
        return encoder;
    }

    /** The guidance adapter trained with the U-Net, or null. */
    public ClassifierFreeGuidance guidance() {
        return guidance;
    }

    /**
     * Every trained array by name: the U-Net parameters under their state-dict names, then the learned null
     * embeddings ({@code train_unconditional_embedding.<key>}). Live arrays, updated in place by the optimiser.
     */
    public Map<String, INDArray> trainables() {
        Map<String, INDArray> all = new LinkedHashMap<>(unet.parameters().asMap());
        if (encoder != null) {
            all.put(LabelEmbedding.NAME, encoder.table());
        }
        if (guidance != null) {
            guidance.stateDict().forEach((k, v) -> {
                if (k.startsWith("train_") && guidance.isTrainable(k)) {
                    all.put(k, v);
                }
            });
        }
        return all;
    }

    public Loss loss() {
        return loss;
    }

    /** What the network predicts (and the MSE target is): noise, x0 or v. */
    public PredictionType prediction() {
        return prediction;
    }

    /** The predictor of this graph's prediction type over {@code schedule}, unclamped: its training target and x0 form. */
    public Predictor predictor(Schedule schedule) {
        return prediction.create(schedule, Predictor.noClamp());
    }

    public double lambda() {
        return lambda;
    }

    /** Loss terms for one batch: "loss", "mse" and (hybrid) "vlb", as scalars (engine forward, nothing kept). */
    public Map<String, Double> evaluate(Map<String, INDArray> feed) {
        return Workspaces.outside(() -> pass().run(feed, false));
    }

    /** The SameDiff graph's loss terms: the test oracle of {@link #evaluate}. */
    public Map<String, Double> referenceEvaluate(Map<String, INDArray> feed) {
        List<String> names = lossNames();
        return Workspaces.outside(() -> scalars(sameDiff().output(feed, names.toArray(new String[0])), names));
    }

    /** This graph's engine pass (built on first use, on the engine's kernels). */
    private TrainingPass pass() {
        if (pass == null) {
            pass = Workspaces.outside(() -> new TrainingPass(this, Kernels.get()));
        }
        return pass;
    }

    /**
     * The flat gradient buffer of the engine pass: {@link #lossAndGradients}' gradients are views into it (in
     * {@link #trainables()} order), valid until the next pass on this graph.
     */
    public INDArray gradientBuffer() {
        return pass().gradients().flat();
    }

    /** Native bytes the engine pass holds for activations and gradients (its arena's high-water mark). */
    public long engineArenaBytes() {
        return pass == null ? 0 : pass.arenaBytes();
    }

    /**
     * Frees the engine's activation memory now, between steps (the next step allocates it again): call it before
     * work whose memory should not add to training's, such as sampling a progress grid. Not during a step.
     */
    public void releaseActivations() {
        if (pass != null) {
            pass.releaseMemory();
        }
    }

    /** Views shaped like the trainables into another flat array laid out as {@link #gradientBuffer()}. */
    public Map<String, INDArray> gradientViews(INDArray flat) {
        return pass().gradients().viewsOf(flat);
    }

    private List<String> lossNames() {
        return loss == Loss.HYBRID ? List.of(LOSS, MSE, VLB) : List.of(LOSS, MSE);
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

    /** Loss terms and gradients of one batch from a single forward + backward pass. */
    public record Step(Map<String, Double> losses, Map<String, INDArray> gradients) {}

    /**
     * The loss terms ("loss", "mse", "vlb") and the gradients of every trained array in one engine forward +
     * backward. The gradients are views into {@link #gradientBuffer()}: valid until the next call on this graph.
     */
    public Step lossAndGradients(Map<String, INDArray> feed) {
        return Workspaces.outside(() -> {
            TrainingPass p = pass();
            p.gradients().zero();
            Map<String, Double> losses = p.run(feed, true);
            return new Step(losses, p.gradients().gradients());
        });
    }

    /** As {@link #lossAndGradients}, copying the gradients into {@code flat} (laid out as {@link #gradientBuffer()}). */
    public Map<String, Double> lossAndGradientsInto(Map<String, INDArray> feed, INDArray flat) {
        Step step = lossAndGradients(feed);
        flat.assign(gradientBuffer());
        return step.losses();
    }

    /** The SameDiff graph's loss terms and gradients: the test oracle of {@link #lossAndGradients}. */
    public Step referenceLossAndGradients(Map<String, INDArray> feed) {
        List<String> names = lossNames();
        List<String> params = List.copyOf(trainables().keySet());
        Map<String, INDArray> out = runGradientFunction(feed, names, params);
        return new Step(scalars(out, names), Workspaces.detach(orderedGradients(out, params)));
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

    /** Gradients of the loss for every trained array ({@link #trainables()}), under the same names (engine). */
    public Map<String, INDArray> gradients(Map<String, INDArray> feed) {
        return lossAndGradients(feed).gradients();
    }

    /** The SameDiff graph's gradients: the test oracle of {@link #gradients}. */
    public Map<String, INDArray> referenceGradients(Map<String, INDArray> feed) {
        List<String> params = List.copyOf(trainables().keySet());
        return Workspaces.detach(orderedGradients(runGradientFunction(feed, List.of(), params), params));
    }
}
