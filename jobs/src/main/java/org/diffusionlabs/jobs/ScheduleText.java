package org.diffusionlabs.jobs;

import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;

import java.io.PrintStream;
import java.util.Locale;
import java.util.TreeSet;

/** The human-readable form of a {@link ScheduleReport}: a short header and a few rows of the main coefficients. */
final class ScheduleText {
    private static final Coefficient[] COLUMNS = {
        Coefficient.BETAS, Coefficient.ALPHAS_CUMPROD, Coefficient.SQRT_ALPHAS_CUMPROD,
        Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, Coefficient.LOWER_POSTERIOR_LOG_VARIANCE,
    };
    private static final int EDGE_ROWS = 3;

    private ScheduleText() {}

    static void write(ScheduleReport r, PrintStream out) {
        DiscreteGaussianSchedule s = r.shown();
        int n = s.steps();
        long[] eval = r.evalSteps();
        out.printf(Locale.ROOT, "beta schedule  %s, %d steps%n", r.kind().name().toLowerCase(Locale.ROOT), r.steps());
        if (r.isRespaced()) {
            out.printf(Locale.ROOT, "respaced to    %d eval steps: %d, %d, %d, ..., %d%n", n, eval[0], eval[1],
                    eval[Math.min(2, n - 1)], eval[n - 1]);
        }
        out.printf(Locale.ROOT, "beta first     %.6e%n", s.value(Coefficient.BETAS, 0));
        out.printf(Locale.ROOT, "beta last      %.6e%n", s.value(Coefficient.BETAS, n - 1));
        out.printf(Locale.ROOT, "alphabar_T     %.6e%n", s.value(Coefficient.ALPHAS_CUMPROD, n - 1));
        out.println();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%6s", "k"));
        if (r.isRespaced()) {
            head.append(String.format(Locale.ROOT, " %6s", "t"));
        }
        for (Coefficient c : COLUMNS) {
            head.append(String.format(Locale.ROOT, " %14s", shortName(c)));
        }
        out.println(head);
        Integer previous = null;
        for (int k : rows(n)) {
            if (previous != null && k > previous + 1) {
                out.printf(Locale.ROOT, "%6s%n", "...");
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", k));
            if (r.isRespaced()) {
                row.append(String.format(Locale.ROOT, " %6d", eval[k]));
            }
            for (Coefficient c : COLUMNS) {
                row.append(String.format(Locale.ROOT, " %14.6e", s.value(c, k)));
            }
            out.println(row);
            previous = k;
        }
        out.println();
        out.println("(all coefficients at full precision: add --json)");
    }

    private static TreeSet<Integer> rows(int n) {
        TreeSet<Integer> rows = new TreeSet<>();
        for (int i = 0; i < EDGE_ROWS; i++) {
            rows.add(Math.min(i, n - 1));
            rows.add(Math.max(n - 1 - i, 0));
        }
        rows.add(n / 2);
        return rows;
    }

    private static String shortName(Coefficient c) {
        return switch (c) {
            case BETAS -> "beta";
            case ALPHAS_CUMPROD -> "alphabar";
            case SQRT_ALPHAS_CUMPROD -> "sqrt(abar)";
            case SQRT_COMPLIMENT_ALPHAS_CUMPROD -> "sqrt(1-abar)";
            case LOWER_POSTERIOR_LOG_VARIANCE -> "log post.var";
            default -> c.referenceName();
        };
    }
}
