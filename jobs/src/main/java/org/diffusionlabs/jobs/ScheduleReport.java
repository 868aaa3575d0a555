package org.diffusionlabs.jobs;

import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code diffusion schedule} reports: a beta schedule of T steps and, when respaced, the strided evaluation
 * schedule with its {@code eval_steps} and {@code eval_steps_map} (the buffers the reference's DDPModule builds).
 * Kept apart from the command so the JSON layout lives in one place.
 */
public final class ScheduleReport {
    private final BetaScheduleKind kind;
    private final int steps;
    private final DiscreteGaussianSchedule shown;
    private final long[] evalSteps;

    private ScheduleReport(BetaScheduleKind kind, int steps, DiscreteGaussianSchedule shown, long[] evalSteps) {
        this.kind = kind;
        this.steps = steps;
        this.shown = shown;
        this.evalSteps = evalSteps;
    }

    /** The full schedule. */
    public static ScheduleReport full(BetaScheduleKind kind, DiscreteGaussianSchedule schedule) {
        return new ScheduleReport(kind, schedule.steps(), schedule, null);
    }

    /** The schedule respaced to the strictly increasing {@code evalSteps} of the full schedule. */
    public static ScheduleReport respaced(BetaScheduleKind kind, DiscreteGaussianSchedule full, long[] evalSteps) {
        return new ScheduleReport(kind, full.steps(), full.respace(evalSteps), evalSteps.clone());
    }

    public BetaScheduleKind kind() {
        return kind;
    }

    /** T of the full schedule. */
    public int steps() {
        return steps;
    }

    /** The schedule whose coefficients are reported: the full one, or the respaced one. */
    public DiscreteGaussianSchedule shown() {
        return shown;
    }

    public boolean isRespaced() {
        return evalSteps != null;
    }

    /** The kept steps of the full schedule, or null when not respaced. */
    public long[] evalSteps() {
        return evalSteps == null ? null : evalSteps.clone();
    }

    /** Length T: {@code map[evalSteps[k]] = k}, 0 for steps that are not kept; null when not respaced. */
    public long[] evalStepsMap() {
        if (evalSteps == null) {
            return null;
        }
        long[] map = new long[steps];
        for (int k = 0; k < evalSteps.length; k++) {
            map[(int) evalSteps[k]] = k;
        }
        return map;
    }

    /** The {@code --json} object: beta, steps, [respace, eval_steps, eval_steps_map], then every coefficient. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta", kind.name().toLowerCase(java.util.Locale.ROOT));
        m.put("steps", steps);
        if (isRespaced()) {
            m.put("respace", evalSteps.length);
            m.put("eval_steps", evalSteps());
            m.put("eval_steps_map", evalStepsMap());
        }
        for (Coefficient c : Coefficient.values()) {
            m.put(c.referenceName(), shown.values(c));
        }
        return m;
    }
}
