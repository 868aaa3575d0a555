package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.DropoutMasks;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Workspaces;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The differentiable part of one diffusion training step, run by the engine ({@link TrainingPass}; its SameDiff form,
 * {@link TrainingGraphOracle}, is the test oracle): the U-Net on (x_t, t, condition),
 * the predictor's clamped x0 (from predicted noise, x0 or v: {@link PredictionType}), the DDPM training posterior
 * (mean from the clamped x0, log variance interpolated by the predicted variance value), and the loss —
 * MSE(prediction, target) with the target ε, x0 or v (the predictor's training target), plus 0.001·VLB(stopgrad(mean), log σ²)
 * for the hybrid loss of Improved DDPM. Everything that depends only on data and the schedule (per-sample
 * coefficients, the true posterior, branch masks, the predictor's x0 form) is computed eagerly in float64 by
 * {@link TrainingFeed} and fed.
 */
public final class TrainingGraph {
    /** Loss variants. */
    public enum Loss { MSE, HYBRID }

    public static final String LOSS = "loss";
    public static final String MSE = "mse";
    public static final String VLB = "vlb";
    private final AdmUNet unet;
    private final ClassifierFreeGuidance guidance;
    private final LabelEmbedding encoder;
    private final DropoutMasks dropout;
    private final Loss loss;
    private final PredictionType prediction;
    private final double lambda;
    private TrainingPass pass;

    private TrainingGraphOracle oracle;

    private TrainingGraph(AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder,
                          DropoutMasks dropout, Loss loss, PredictionType prediction, double lambda) {
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
        return new TrainingGraph(unet, guidance, encoder, unet.dropoutMasks(dropout), loss, prediction, lambda);
    }

    /**
     * Another graph of the same model over the same parameter arrays (as {@link #build} shares them), for another
     * thread: an engine pass (and a SameDiff session) is not thread-safe, but several graphs may read the shared
     * parameters concurrently while nothing updates them. Same loss, prediction, dropout sites and placeholders,
     * so the same feed gives the same bits on a thread with the same OpenMP thread count.
     */
    public TrainingGraph replica() {
        return build(unet, guidance, encoder, loss, prediction, dropout.p(), lambda);
    }

    /** The SameDiff form of this graph, the test oracle of the engine (built on first use). */
    public synchronized TrainingGraphOracle oracle() {
        if (oracle == null) {
            oracle = new TrainingGraphOracle(this);
        }
        return oracle;
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

    /** Gradients of the loss for every trained array ({@link #trainables()}), under the same names (engine). */
    public Map<String, INDArray> gradients(Map<String, INDArray> feed) {
        return lossAndGradients(feed).gradients();
    }

}
