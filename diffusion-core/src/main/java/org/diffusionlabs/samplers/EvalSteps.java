package org.diffusionlabs.samplers;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Linspace;

import java.util.Arrays;

/**
 * The training-schedule steps a sampler visits, ascending and unique, and the map from a training step to its
 * position among them (0 for steps not visited, as the reference's {@code eval_steps_map} buffer).
 *
 * @param steps     ascending unique steps in [0, trainSteps)
 * @param trainSteps T of the training schedule
 */
public record EvalSteps(long[] steps, int trainSteps) {
    public EvalSteps {
        Checks.notNull(steps, "EvalSteps", "steps");
        Checks.require(trainSteps >= 2, "EvalSteps", "trainSteps", trainSteps, "must be >= 2");
        steps = steps.clone();
        Arrays.sort(steps);
        for (int i = 0; i < steps.length; i++) {
            Checks.require(steps[i] >= 0 && steps[i] < trainSteps, "EvalSteps", "steps[" + i + "]", steps[i],
                    "must be in [0, " + trainSteps + ")");
            Checks.require(i == 0 || steps[i] != steps[i - 1], "EvalSteps", "steps", steps, "must not repeat a step");
        }
    }

    /** Every step 0..T−1 (no respacing). */
    public static EvalSteps all(int trainSteps) {
        long[] s = new long[trainSteps];
        for (int i = 0; i < trainSteps; i++) {
            s[i] = i;
        }
        return new EvalSteps(s, trainSteps);
    }

    /**
     * {@code count} steps from 0 to T−1 exactly as the reference tutorial builds them,
     * {@code torch.linspace(0, T-1, count, dtype=torch.int)} on the reference's PyTorch (see {@link Linspace#ofInts}).
     */
    public static EvalSteps linspace(int trainSteps, int count) {
        Checks.require(count >= 0 && count <= trainSteps, "EvalSteps", "count", count, "must be in [0, " + trainSteps + "]");
        return new EvalSteps(Linspace.ofInts(0, trainSteps - 1, count), trainSteps);
    }

    /** {@code count} steps from 0 to T−1, each ⌊i·(T−1)/(count−1)⌋ (PyTorch 2.x integer linspace). */
    public static EvalSteps linspaceExact(int trainSteps, int count) {
        Checks.require(count >= 0 && count <= trainSteps, "EvalSteps", "count", count, "must be in [0, " + trainSteps + "]");
        return new EvalSteps(Linspace.ofLongs(0, trainSteps - 1, count), trainSteps);
    }

    /** Every {@code stride}-th step from 0 (e.g. {@code arange(0, 1000, 50)}). */
    public static EvalSteps strided(int trainSteps, int stride) {
        Checks.positive(stride, "EvalSteps", "stride");
        long[] s = new long[(trainSteps + stride - 1) / stride];
        for (int i = 0; i < s.length; i++) {
            s[i] = (long) i * stride;
        }
        return new EvalSteps(s, trainSteps);
    }

    @Override
    public long[] steps() {
        return steps.clone();
    }

    public int size() {
        return steps.length;
    }

    /** True when every training step is visited (no respacing needed). */
    public boolean isFull() {
        return steps.length == trainSteps;
    }

    /** The map of length T: map[steps[k]] = k, 0 elsewhere. */
    public long[] map() {
        long[] m = new long[trainSteps];
        for (int k = 0; k < steps.length; k++) {
            m[(int) steps[k]] = k;
        }
        return m;
    }

    /** The steps in the order a sampler visits them (descending). */
    public long[] descending() {
        long[] d = new long[steps.length];
        for (int i = 0; i < steps.length; i++) {
            d[i] = steps[steps.length - 1 - i];
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvalSteps e && e.trainSteps == trainSteps && Arrays.equals(e.steps, steps);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(steps) + trainSteps;
    }

    @Override
    public String toString() {
        return "EvalSteps[" + steps.length + " of " + trainSteps + "]";
    }
}
