package org.diffusionlabs.schedules;

import org.diffusionlabs.nd.Broadcast;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * Discrete Gaussian diffusion schedule (Ho et al. 2020; learned-variance interpolation from Nichol and Dhariwal
 * 2021, eq. 15). Port of {@code diffusion_labs/schedules/discrete_gaussian_schedule.py}.
 *
 * <p>Immutable: every coefficient is computed once, in float64, in the constructor; {@link #respace(long[])} builds
 * a new schedule instead of mutating betas. Coefficients meet float32 data in float64 and results are cast back to
 * the data's type, as in the reference.
 */
public final class DiscreteGaussianSchedule implements Schedule, Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "DiscreteGaussianSchedule";

    private final EnumMap<Coefficient, double[]> table = new EnumMap<>(Coefficient.class);
    private final double varianceRangeValue;

    /** A schedule with the "fixed small" posterior variance (variance range value 0). */
    public DiscreteGaussianSchedule(double[] betas) {
        this(betas, 0.0);
    }

    /**
     * @param betas              per-step noise variances, each in (0, 1), at least 2 steps
     * @param varianceRangeValue default interpolation v in [0, 1] between the lower (posterior) and upper (beta)
     *                           log variance when the model predicts none
     */
    public DiscreteGaussianSchedule(double[] betas, double varianceRangeValue) {
        Checks.notNull(betas, OWNER, "betas");
        Checks.require(betas.length >= 2, OWNER, "betas.length", betas.length, "needs at least 2 steps");
        for (int i = 0; i < betas.length; i++) {
            double b = betas[i];
            Checks.require(b > 0 && b < 1, OWNER, "betas[" + i + "]", b, "must be in (0, 1)");
        }
        Checks.require(varianceRangeValue >= 0 && varianceRangeValue <= 1, OWNER, "varianceRangeValue",
                varianceRangeValue, "must be in [0, 1]");
        this.varianceRangeValue = varianceRangeValue;
        compute(betas.clone());
    }

    private void compute(double[] betas) {
        int n = betas.length;
        double[] alphas = new double[n];
        double[] acp = new double[n];
        double[] acpPrev = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++) {
            alphas[i] = 1.0 - betas[i];
            acpPrev[i] = prod;
            prod *= alphas[i];
            acp[i] = prod;
        }
        double[] sqrtAcp = new double[n];
        double[] sqrtOneMinusAcp = new double[n];
        double[] sqrtRecip = new double[n];
        double[] sqrtRecipM1 = new double[n];
        double[] posteriorVariance = new double[n];
        double[] upper = new double[n];
        double[] x0Coef = new double[n];
        double[] xtCoef = new double[n];
        for (int i = 0; i < n; i++) {
            sqrtAcp[i] = Math.sqrt(acp[i]);
            sqrtOneMinusAcp[i] = Math.sqrt(1.0 - acp[i]);
            sqrtRecip[i] = Math.sqrt(1.0 / acp[i]);
            sqrtRecipM1[i] = Math.sqrt(1.0 / acp[i] - 1);
            posteriorVariance[i] = betas[i] * (1.0 - acpPrev[i]) / (1.0 - acp[i]);
            upper[i] = Math.log(betas[i]);
            x0Coef[i] = betas[i] * Math.sqrt(acpPrev[i]) / (1.0 - acp[i]);
            xtCoef[i] = (1.0 - acpPrev[i]) * Math.sqrt(alphas[i]) / (1.0 - acp[i]);
        }
        // The posterior variance is 0 at t = 0; its log is clipped by repeating element 1 there.
        double[] lower = new double[n];
        lower[0] = Math.log(posteriorVariance[1]);
        for (int i = 1; i < n; i++) {
            lower[i] = Math.log(posteriorVariance[i]);
        }
        table.put(Coefficient.BETAS, betas);
        table.put(Coefficient.ALPHAS, alphas);
        table.put(Coefficient.ALPHAS_CUMPROD, acp);
        table.put(Coefficient.ALPHAS_CUMPROD_PREV, acpPrev);
        table.put(Coefficient.SQRT_ALPHAS_CUMPROD, sqrtAcp);
        table.put(Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, sqrtOneMinusAcp);
        table.put(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD, sqrtRecip);
        table.put(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD_MINUS_ONE, sqrtRecipM1);
        table.put(Coefficient.LOWER_POSTERIOR_LOG_VARIANCE, lower);
        table.put(Coefficient.UPPER_POSTERIOR_LOG_VARIANCE, upper);
        table.put(Coefficient.POSTERIOR_MEAN_X0_COEF, x0Coef);
        table.put(Coefficient.POSTERIOR_MEAN_XT_COEF, xtCoef);
    }

    /** A linear/cosine/quadratic/sigmoid schedule with the reference defaults. */
    public static DiscreteGaussianSchedule of(BetaScheduleKind kind, int steps) {
        return new DiscreteGaussianSchedule(kind.betas(steps));
    }

    @Override
    public int steps() {
        return table.get(Coefficient.BETAS).length;
    }

    public double varianceRangeValue() {
        return varianceRangeValue;
    }

    /** A copy of the whole float64 table of one coefficient. */
    public double[] values(Coefficient c) {
        return table.get(c).clone();
    }

    /** The value of one coefficient at an integer step. */
    public double value(Coefficient c, int step) {
        double[] v = table.get(c);
        Checks.require(step >= 0 && step < v.length, OWNER, "step", step, "must be in [0, " + v.length + ")");
        return v[step];
    }

    /** Every coefficient, in declaration order (a read-only view of copies). */
    public Map<Coefficient, double[]> all() {
        EnumMap<Coefficient, double[]> copy = new EnumMap<>(Coefficient.class);
        table.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public INDArray coefficient(Coefficient c, INDArray t, int rank) {
        return Broadcast.atSteps(table.get(c), t, rank);
    }

    @Override
    public INDArray sampleNoise(INDArray like, Rng rng) {
        return rng.randn(like.shape()).castTo(like.dataType());
    }

    @Override
    public INDArray sampleSteps(INDArray like, Rng rng) {
        Checks.require(like.rank() >= 1, OWNER, "like", java.util.Arrays.toString(like.shape()), "needs a batch dimension");
        return rng.randint(0, steps(), Math.toIntExact(like.size(0)), DataType.INT);
    }

    @Override
    public INDArray qSample(INDArray x0, INDArray noise, INDArray t) {
        checkSameShape(x0, noise, "noise");
        int r = x0.rank();
        INDArray a = x0.castTo(DataType.DOUBLE).muli(coefficient(Coefficient.SQRT_ALPHAS_CUMPROD, t, r));
        INDArray b = noise.castTo(DataType.DOUBLE).muli(coefficient(Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, t, r));
        return a.addi(b).castTo(x0.dataType());
    }

    /** Posterior q(x_{t-1} | x_t, x_0) with the schedule's own variance range value. */
    public Posterior qPosterior(INDArray x0, INDArray xt, INDArray t) {
        return qPosterior(x0, xt, t, null);
    }

    /**
     * Posterior mean and log variance; the log variance interpolates v·log β_t + (1 − v)·log β̃_t with the model's
     * variance value {@code v} (not clamped), or with the schedule's variance range value when {@code v} is null.
     */
    public Posterior qPosterior(INDArray x0, INDArray xt, INDArray t, INDArray v) {
        checkSameShape(xt, x0, "x0");
        int r = xt.rank();
        INDArray upper = coefficient(Coefficient.UPPER_POSTERIOR_LOG_VARIANCE, t, r);
        INDArray lower = coefficient(Coefficient.LOWER_POSTERIOR_LOG_VARIANCE, t, r);
        // As in the reference, v keeps the data type (1 − v is rounded there) and meets the float64 logs after.
        INDArray vt = v == null ? Nd4j.valueArrayOf(x0.shape(), varianceRangeValue, x0.dataType()) : v;
        INDArray logVar = vt.castTo(DataType.DOUBLE).muli(upper).addi(vt.rsub(1.0).castTo(DataType.DOUBLE).muli(lower));
        INDArray mean = x0.castTo(DataType.DOUBLE).muli(coefficient(Coefficient.POSTERIOR_MEAN_X0_COEF, t, r))
                .addi(xt.castTo(DataType.DOUBLE).muli(coefficient(Coefficient.POSTERIOR_MEAN_XT_COEF, t, r)));
        return new Posterior(mean.castTo(xt.dataType()), logVar.castTo(xt.dataType()));
    }

    /**
     * The schedule of a strided sampler that visits only {@code keptSteps} (Nichol and Dhariwal 2021, eq. 19):
     * β'_k = 1 − ᾱ[s_k]/ᾱ[s_{k−1}] with ᾱ[s_{−1}] = 1, not clipped, so the new schedule reproduces ᾱ at the kept
     * steps. Steps must be strictly increasing and within [0, T).
     */
    public DiscreteGaussianSchedule respace(long[] keptSteps) {
        Checks.notNull(keptSteps, OWNER, "keptSteps");
        Checks.require(keptSteps.length >= 2, OWNER, "keptSteps.length", keptSteps.length, "needs at least 2 steps");
        double[] acp = table.get(Coefficient.ALPHAS_CUMPROD);
        double[] betas = new double[keptSteps.length];
        double prev = 1.0;
        for (int k = 0; k < keptSteps.length; k++) {
            long s = keptSteps[k];
            Checks.require(s >= 0 && s < acp.length, OWNER, "keptSteps[" + k + "]", s, "must be in [0, " + acp.length + ")");
            Checks.require(k == 0 || s > keptSteps[k - 1], OWNER, "keptSteps", keptSteps, "must be strictly increasing");
            betas[k] = 1 - acp[(int) s] / prev;
            prev = acp[(int) s];
        }
        return new DiscreteGaussianSchedule(betas, varianceRangeValue);
    }

    private static void checkSameShape(INDArray a, INDArray b, String name) {
        Checks.require(java.util.Arrays.equals(a.shape(), b.shape()), OWNER, name, java.util.Arrays.toString(b.shape()),
                "must have shape " + java.util.Arrays.toString(a.shape()));
    }
}
