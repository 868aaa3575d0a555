package org.diffusionlabs.testing;

/**
 * The relative tolerance of schedule coefficients against golden/schedules.json: 1e-12 everywhere except cosine at
 * T = 1000. There PyTorch's vectorised float64 cos (Sleef, within 1 ulp) differs by 1 ulp from the correctly rounded
 * cos we use (checked against 60-digit arithmetic) at 5 of 1001 points, and the cancellation in 1 − f(t+1)/f(t) for
 * β ≈ 4e-5 turns that into up to 5.4e-12 relative.
 */
public final class ScheduleTolerance {
    public static final double RTOL = 1e-12;
    public static final double RTOL_COSINE_1000 = 6e-12;

    private ScheduleTolerance() {}

    public static double relative(String beta, int steps) {
        return beta.equals("cosine") && steps == 1000 ? RTOL_COSINE_1000 : RTOL;
    }
}
