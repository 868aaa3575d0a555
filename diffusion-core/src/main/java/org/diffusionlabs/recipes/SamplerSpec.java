package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.samplers.DdimSampler;
import org.diffusionlabs.samplers.DdpmSampler;
import org.diffusionlabs.samplers.EvalSteps;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

import java.io.Serializable;
import java.util.Locale;

/**
 * How to sample: DDPM or DDIM, the number of model evaluations, DDIM's η and the classifier-free guidance scale.
 * {@link #build} is the one place a sampler is made from these, for the CLI, Spark batch sampling and training
 * previews: ddim makes {@code steps} updates over {@code steps + 1} evenly strided timesteps, ddpm {@code steps}
 * strided timesteps, both capped at the schedule's training steps.
 */
public record SamplerSpec(Kind kind, int steps, double eta, double guidance) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "SamplerSpec";

    /** The sampling algorithm. */
    public enum Kind {
        DDPM, DDIM;

        /** {@code ddpm} or {@code ddim}, any case. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException(Checks.message(OWNER, "kind", s, "must be ddpm or ddim"));
            }
        }
    }

    public SamplerSpec {
        Checks.notNull(kind, OWNER, "kind");
        Checks.positive(steps, OWNER, "steps");
        Checks.require(eta >= 0 && Double.isFinite(eta), OWNER, "eta", eta, "must be finite and >= 0");
        Checks.finite(guidance, OWNER, "guidance");
    }

    /** The spec of {@code kind} given as text ({@code ddpm} or {@code ddim}). */
    public static SamplerSpec of(String kind, int steps, double eta, double guidance) {
        return new SamplerSpec(Kind.parse(kind), steps, eta, guidance);
    }

    /** The sampler over {@code model} at this guidance scale (the model's null embeddings are shared, not copied). */
    public Sampler build(ClassifierFreeGuidance model, DiscreteGaussianSchedule schedule, Predictor predictor) {
        ClassifierFreeGuidance guided = model.withGuidance(guidance);
        int trainSteps = schedule.steps();
        return switch (kind) {
            case DDIM -> new DdimSampler(guided, schedule, predictor,
                    EvalSteps.linspace(trainSteps, Math.min(steps + 1, trainSteps)), eta);
            case DDPM -> new DdpmSampler(guided, schedule, predictor,
                    EvalSteps.linspace(trainSteps, Math.min(steps, trainSteps)));
        };
    }
}
