package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;
import java.util.Locale;

/**
 * Learning rate per optimiser step: linear warm-up from 0 over {@code warmupSteps}, then constant, cosine or linear
 * decay to {@code minFactor}·peak at {@code totalSteps} (the choices of diffusers' training scripts).
 *
 * @param peak        learning rate after warm-up
 * @param warmupSteps steps of linear warm-up (0 for none)
 * @param decay       what follows the warm-up
 * @param totalSteps  step at which the decay ends (ignored for CONSTANT)
 * @param minFactor   final rate as a fraction of the peak, in [0, 1]
 */
public record LearningRateSchedule(double peak, long warmupSteps, Decay decay, long totalSteps, double minFactor)
        implements Serializable {
    /** The shape after warm-up. */
    public enum Decay {
        CONSTANT, COSINE, LINEAR;

        public static Decay parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("learning-rate schedule parameter decay given invalid value " + s
                        + ": must be constant, cosine or linear");
            }
        }
    }

    public LearningRateSchedule {
        Checks.require(peak > 0 && Double.isFinite(peak), "LearningRateSchedule", "peak", peak, "must be finite and > 0");
        Checks.require(warmupSteps >= 0, "LearningRateSchedule", "warmupSteps", warmupSteps, "must be >= 0");
        Checks.notNull(decay, "LearningRateSchedule", "decay");
        Checks.require(decay == Decay.CONSTANT || totalSteps > warmupSteps, "LearningRateSchedule", "totalSteps",
                totalSteps, "must exceed warmupSteps=" + warmupSteps + " for a decaying schedule");
        Checks.require(minFactor >= 0 && minFactor <= 1, "LearningRateSchedule", "minFactor", minFactor, "must be in [0, 1]");
    }

    public static LearningRateSchedule constant(double lr) {
        return new LearningRateSchedule(lr, 0, Decay.CONSTANT, 0, 1);
    }

    /** The rate of optimiser step {@code step} (0-based). */
    public double rate(long step) {
        Checks.require(step >= 0, "LearningRateSchedule", "step", step, "must be >= 0");
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (decay == Decay.CONSTANT) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        double shape = decay == Decay.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return peak * (minFactor + (1 - minFactor) * shape);
    }
}
