package org.diffusionlabs.losses;

import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * Improved-DDPM hybrid objective L_hybrid = L_simple + λ·L_vlb (Nichol and Dhariwal 2021, eq. 16, λ = 0.001).
 * Port of {@code diffusion_labs/modules/losses/diffusion_hybrid_loss.py}: the simple loss (MSE by default) compares
 * the prediction with its target (typically the true noise); the VLB term is {@link VlbLoss} on the model's
 * posterior mean and log variance.
 *
 * <p>In the reference the mean enters the VLB detached, so only the learned variance is trained by the VLB term.
 * This eager INDArray version computes values only; gradient semantics (the stop-gradient on the mean) live in the
 * SameDiff training graph.
 */
public final class HybridLoss implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "HybridLoss";
    public static final double DEFAULT_LAMBDA = 0.001;

    private final SimpleLoss simpleLoss;
    private final VlbLoss vlbLoss;
    private final double lambda;

    /** MSE plus 0.001·VLB. */
    public HybridLoss(DiscreteGaussianSchedule schedule) {
        this(schedule, new MseLoss(), DEFAULT_LAMBDA);
    }

    /** MSE plus {@code lambda}·VLB. */
    public HybridLoss(DiscreteGaussianSchedule schedule, double lambda) {
        this(schedule, new MseLoss(), lambda);
    }

    /**
     * @param schedule   supplies the true posterior for the VLB term
     * @param simpleLoss loss between prediction and target (must be serializable to ship to Spark executors)
     * @param lambda     finite, non-negative weight of the VLB term
     */
    public HybridLoss(DiscreteGaussianSchedule schedule, SimpleLoss simpleLoss, double lambda) {
        this.vlbLoss = new VlbLoss(schedule);
        this.simpleLoss = Checks.notNull(simpleLoss, OWNER, "simpleLoss");
        Checks.require(Double.isFinite(lambda) && lambda >= 0, OWNER, "lambda", lambda, "must be finite and >= 0");
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    public VlbLoss vlbLoss() {
        return vlbLoss;
    }

    /**
     * @param prediction  model prediction {@code [b, ...]} (e.g. predicted noise)
     * @param target      its target (e.g. the true noise), same shape
     * @param mean        model posterior mean, same shape as x0
     * @param logVariance model posterior log variance, same shape as x0
     * @param x0          clean data in [−1, 1]
     * @param xt          noised data
     * @param t           timesteps {@code [b]}
     * @return simple(prediction, target) + λ·VLB(mean, logVariance, x0, xt, t) as a rank-0 tensor
     */
    public INDArray loss(INDArray prediction, INDArray target, INDArray mean, INDArray logVariance,
                         INDArray x0, INDArray xt, INDArray t) {
        LossArgs.data(prediction, OWNER, "prediction");
        LossArgs.sameAs(prediction, "prediction", target, "target", OWNER);
        INDArray simple = simpleLoss.loss(prediction, target);
        INDArray vlb = vlbLoss.loss(mean, logVariance, x0, xt, t);
        return simple.add(vlb.muli(lambda).castTo(simple.dataType()));
    }

    /** The same loss taking prediction, mean and log variance from a DDPM training-mode output. */
    public INDArray loss(DiffusionOutput output, INDArray target, INDArray x0, INDArray xt, INDArray t) {
        Checks.notNull(output, OWNER, "output");
        Checks.require(output.mean() != null && output.logVariance() != null, OWNER, "output", "mean/logVariance null",
                "needs the posterior mean and log variance (DDPM training forward)");
        return loss(output.prediction(), target, output.mean(), output.logVariance(), x0, xt, t);
    }
}
