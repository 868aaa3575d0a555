package org.diffusionlabs.schedules;

/**
 * The float64 per-step coefficients a {@link DiscreteGaussianSchedule} precomputes, under the reference's names
 * ({@code diffusion_labs/schedules/discrete_gaussian_schedule.py}). Typed keys instead of strings, so a typo is a
 * compile error.
 */
public enum Coefficient {
    BETAS("betas"),
    ALPHAS("alphas"),
    ALPHAS_CUMPROD("alphas_cumprod"),
    ALPHAS_CUMPROD_PREV("alphas_cumprod_prev"),
    SQRT_ALPHAS_CUMPROD("sqrt_alphas_cumprod"),
    SQRT_COMPLIMENT_ALPHAS_CUMPROD("sqrt_compliment_alphas_cumprod"),
    SQRT_RECIP_ALPHAS_CUMPROD("sqrt_recip_alphas_cumprod"),
    SQRT_RECIP_ALPHAS_CUMPROD_MINUS_ONE("sqrt_recip_alphas_cumprod_minus_one"),
    /** log of the posterior variance with element 0 replaced by element 1 (finite at t = 0). */
    LOWER_POSTERIOR_LOG_VARIANCE("lower_posterior_log_variance"),
    /** log of beta. */
    UPPER_POSTERIOR_LOG_VARIANCE("upper_posterior_log_variance"),
    POSTERIOR_MEAN_X0_COEF("posterior_mean_x0_coef"),
    POSTERIOR_MEAN_XT_COEF("posterior_mean_xt_coef");

    private final String referenceName;

    Coefficient(String referenceName) {
        this.referenceName = referenceName;
    }

    /** The property name in the reference (and in {@code bin/diffusion schedule --json}). */
    public String referenceName() {
        return referenceName;
    }
}
