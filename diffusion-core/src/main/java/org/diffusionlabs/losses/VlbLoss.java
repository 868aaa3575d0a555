package org.diffusionlabs.losses;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.Select;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Variational lower bound loss L_vlb of Improved DDPM (Nichol and Dhariwal 2021, eqs. 4–6; Ho et al. 2020), in bits
 * per dimension. Port of {@code diffusion_labs/modules/losses/vlb_loss.py}: per sample, the KL divergence between
 * the true posterior q(x_{t−1} | x_t, x_0) of the schedule and the model's Gaussian p(x_{t−1} | x_t) when t > 0,
 * and the discretized-Gaussian decoder NLL of x_0 when t == 0; the loss is the batch mean.
 *
 * <p>Numerics follow the reference's float32 evaluation order: every elementwise step runs in the data type, Python
 * float constants are rounded to it (√(2/π), 0.044715, 1/255, 0.999, 1e-12 and 1/ln 2 are each rounded to float32
 * once, as PyTorch does when a float32 tensor meets a Python scalar), {@code pow(x, 3)} is {@code (x·x)·x}.
 * {@code exp}, {@code log} and {@code tanh} are rounded once from float64 ({@link RoundedMath}); the means over
 * non-batch dimensions are accumulated in float64. Shapes must agree exactly (no broadcasting).
 *
 * <p>This eager version carries no gradients; stop-gradient semantics (hybrid loss) belong to the SameDiff graph.
 */
public final class VlbLoss implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "VlbLoss";
    /** √(2/π) as the reference computes it ({@code (2.0 / math.pi) ** 0.5}, a double rounded at use). */
    static final double SQRT_2_OVER_PI = Math.pow(2.0 / Math.PI, 0.5);
    static final double CDF_CUBIC = 0.044715;
    static final double BIN_HALF_WIDTH = 1.0 / 255.0;
    static final double THRESHOLD = 0.999;
    static final double EPS = 1e-12;
    /** Nats to bits: 1 / ln 2. */
    static final double NAT = 1.0 / Math.log(2.0);

    private final DiscreteGaussianSchedule schedule;

    /** @param schedule supplies the true posterior q(x_{t−1} | x_t, x_0) with its own variance range value */
    public VlbLoss(DiscreteGaussianSchedule schedule) {
        this.schedule = Checks.notNull(schedule, OWNER, "schedule");
    }

    public DiscreteGaussianSchedule schedule() {
        return schedule;
    }

    /** The tanh approximation of the standard normal CDF: 0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static INDArray approxStandardNormalCdf(INDArray x) {
        LossArgs.data(x, OWNER, "x");
        INDArray cube = x.mul(x).muli(x);
        INDArray inner = x.add(cube.muli(CDF_CUBIC)).muli(SQRT_2_OVER_PI);
        return RoundedMath.tanh(inner).addi(1.0).muli(0.5);
    }

    /** Discretized-Gaussian log-likelihood with the defaults thres = 0.999, eps = 1e-12. */
    public static INDArray discretizedGaussianLogLikelihood(INDArray x, INDArray mean, INDArray logScale) {
        return discretizedGaussianLogLikelihood(x, mean, logScale, THRESHOLD, EPS);
    }

    /**
     * Elementwise log-probability of data x ∈ [−1, 1] (256 levels, bin half width 1/255) under N(mean, e^{2·logScale})
     * integrated over its bin; the edge bins extend to ±∞: log Φ̃(upper) where x &lt; −thres, log(1 − Φ̃(lower)) where
     * x &gt; thres, else log(Φ̃(upper) − Φ̃(lower)); every probability is clamped below at {@code eps}.
     *
     * @param logScale log standard deviation (half the log variance)
     */
    public static INDArray discretizedGaussianLogLikelihood(INDArray x, INDArray mean, INDArray logScale,
                                                            double thres, double eps) {
        LossArgs.data(x, OWNER, "x");
        LossArgs.sameAs(x, "x", mean, "mean", OWNER);
        LossArgs.sameAs(x, "x", logScale, "logScale", OWNER);
        INDArray centered = x.sub(mean);
        INDArray invStd = RoundedMath.exp(logScale.neg());
        INDArray cdfPlus = approxStandardNormalCdf(centered.add(BIN_HALF_WIDTH).muli(invStd));
        INDArray cdfMin = approxStandardNormalCdf(centered.sub(BIN_HALF_WIDTH).muli(invStd));
        INDArray logCdfPlus = RoundedMath.log(Transforms.max(cdfPlus, eps, true));
        INDArray logOneMinusCdfMin = RoundedMath.log(Transforms.max(cdfMin.rsub(1.0), eps, true));
        INDArray logCdfDelta = RoundedMath.log(Transforms.max(cdfPlus.sub(cdfMin), eps, true));
        INDArray inner = where(x.gt(thres), logOneMinusCdfMin, logCdfDelta);
        return where(x.lt(-thres), logCdfPlus, inner);
    }

    /**
     * KL(N(m1, e^{lv1}) ‖ N(m2, e^{lv2})) elementwise:
     * 0.5·(−1 + lv2 − lv1 + e^{lv1 − lv2} + (m1 − m2)²·e^{−lv2}).
     */
    public static INDArray normalKl(INDArray m1, INDArray lv1, INDArray m2, INDArray lv2) {
        LossArgs.data(m1, OWNER, "m1");
        LossArgs.sameAs(m1, "m1", lv1, "lv1", OWNER);
        LossArgs.sameAs(m1, "m1", m2, "m2", OWNER);
        LossArgs.sameAs(m1, "m1", lv2, "lv2", OWNER);
        INDArray diff = m1.sub(m2);
        INDArray sum = lv2.add(-1.0).subi(lv1)
                .addi(RoundedMath.exp(lv1.sub(lv2)))
                .addi(diff.muli(diff).muli(RoundedMath.exp(lv2.neg())));
        return sum.muli(0.5);
    }

    /** Mean over every dimension but the first: {@code [b, ...] → [b]} (a vector is returned as a copy). */
    public static INDArray meanFlat(INDArray x) {
        LossArgs.data(x, OWNER, "x");
        if (x.rank() == 1) {
            return x.dup();
        }
        int[] dims = new int[x.rank() - 1];
        Arrays.setAll(dims, i -> i + 1);
        return x.castTo(DataType.DOUBLE).mean(dims).castTo(x.dataType());
    }

    /**
     * Per-sample KL, decoder NLL and their t-selected combination, in bits per dimension.
     *
     * @param predMean   model posterior mean {@code [b, ...]}
     * @param predLogVar model posterior log variance, same shape and type
     * @param x0         clean data in [−1, 1], same shape and type
     * @param xt         noised data, same shape and type
     * @param t          timesteps {@code [b]} (any numeric type)
     */
    public VlbTerms perSampleTerms(INDArray predMean, INDArray predLogVar, INDArray x0, INDArray xt, INDArray t) {
        LossArgs.data(predMean, OWNER, "predMean");
        LossArgs.sameAs(predMean, "predMean", predLogVar, "predLogVar", OWNER);
        LossArgs.sameAs(predMean, "predMean", x0, "x0", OWNER);
        LossArgs.sameAs(predMean, "predMean", xt, "xt", OWNER);
        LossArgs.timesteps(t, predMean, "predMean", OWNER);
        Posterior q = schedule.qPosterior(x0, xt, t);
        INDArray kl = meanFlat(normalKl(q.mean(), q.logVariance(), predMean, predLogVar)).muli(NAT);
        INDArray nll = meanFlat(discretizedGaussianLogLikelihood(x0, predMean, predLogVar.mul(0.5)).negi()).muli(NAT);
        INDArray selected = where(t.eq(0), nll, kl);
        return new VlbTerms(kl, nll, selected);
    }

    /** The per-sample loss {@code [b]}: decoder NLL where t == 0, otherwise the KL term (bits per dimension). */
    public INDArray perSample(INDArray predMean, INDArray predLogVar, INDArray x0, INDArray xt, INDArray t) {
        return perSampleTerms(predMean, predLogVar, x0, xt, t).selected();
    }

    /** The batch mean of {@link #perSample}, a rank-0 tensor in the data type. */
    public INDArray loss(INDArray predMean, INDArray predLogVar, INDArray x0, INDArray xt, INDArray t) {
        INDArray perSample = perSample(predMean, predLogVar, x0, xt, t);
        return perSample.castTo(DataType.DOUBLE).mean().castTo(perSample.dataType());
    }

    /** Elementwise {@code cond ? a : b} without arithmetic masking (so an unselected inf/NaN cannot leak). */
    private static INDArray where(INDArray cond, INDArray a, INDArray b) {
        INDArray out = Nd4j.createUninitialized(a.dataType(), a.shape());
        Nd4j.exec(new Select(new INDArray[] {cond, a, b}, new INDArray[] {out}));
        return out;
    }
}
