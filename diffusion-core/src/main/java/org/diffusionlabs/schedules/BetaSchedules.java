package org.diffusionlabs.schedules;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Linspace;

/**
 * The beta schedules of {@code diffusion_labs/schedules/discrete_gaussian_schedule.py}, in float64.
 * Linear, quadratic and sigmoid default to start = 0.0001·(1000/T) and end = 0.02·(1000/T) (Ho et al. 2020,
 * scaled to T steps); cosine is Nichol and Dhariwal 2021, eq. 17, clipped at 0.999.
 */
public final class BetaSchedules {
    private static final String OWNER = "BetaSchedules";

    private BetaSchedules() {}

    private static double scale(int steps) {
        Checks.require(steps >= 2, OWNER, "steps", steps, "must be >= 2");
        return 1000.0 / steps;
    }

    public static double[] linear(int steps) {
        double scale = scale(steps);
        return linear(steps, scale * 0.0001, scale * 0.02);
    }

    public static double[] linear(int steps, double start, double end) {
        checkRange(steps, start, end);
        return Linspace.of(start, end, steps);
    }

    public static double[] quadratic(int steps) {
        double scale = scale(steps);
        return quadratic(steps, scale * 0.0001, scale * 0.02);
    }

    public static double[] quadratic(int steps, double start, double end) {
        checkRange(steps, start, end);
        double[] b = Linspace.of(Math.pow(start, 0.5), Math.pow(end, 0.5), steps);
        for (int i = 0; i < b.length; i++) {
            b[i] = b[i] * b[i];
        }
        return b;
    }

    public static double[] sigmoid(int steps) {
        double scale = scale(steps);
        return sigmoid(steps, scale * 0.0001, scale * 0.02);
    }

    public static double[] sigmoid(int steps, double start, double end) {
        checkRange(steps, start, end);
        double[] b = Linspace.of(-6, 6, steps);
        for (int i = 0; i < b.length; i++) {
            b[i] = 1.0 / (1.0 + Math.exp(-b[i])) * (end - start) + start;
        }
        return b;
    }

    public static double[] cosine(int steps) {
        return cosine(steps, 0.008);
    }

    /** Cosine schedule with offset {@code s}: betas = clip(1 − f(t+1)/f(t), 0, 0.999). */
    public static double[] cosine(int steps, double s) {
        scale(steps);
        Checks.require(s >= 0 && Double.isFinite(s), OWNER, "s", s, "must be finite and >= 0");
        double[] x = Linspace.of(0, steps, steps + 1);
        double[] f = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            double c = Math.cos(((x[i] / steps) + s) / (1 + s) * Math.PI * 0.5);
            f[i] = c * c;
        }
        double f0 = f[0];
        double[] betas = new double[steps];
        for (int i = 0; i < steps; i++) {
            double beta = 1 - (f[i + 1] / f0) / (f[i] / f0);
            betas[i] = Math.min(Math.max(beta, 0.0), 0.999);
        }
        return betas;
    }

    private static void checkRange(int steps, double start, double end) {
        scale(steps);
        Checks.require(start > 0 && start < 1, OWNER, "start", start, "must be in (0, 1)");
        Checks.require(end > 0 && end < 1, OWNER, "end", end, "must be in (0, 1)");
    }
}
