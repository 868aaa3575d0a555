package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.data.PngImages;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loss curve of a run ({@code RUN/loss.png}): training loss against optimiser step on a logarithmic y axis
 * (the loss falls over two decades, 1 → 0.02), the raw per-step loss drawn lightly under a trailing moving average
 * drawn boldly, with tick labels and the run name in the title. It reads the rows of {@code metrics.jsonl}; a
 * resumed run logs the steps after its checkpoint twice, so for a repeated step the last row wins. Rows without a
 * finite, positive loss cannot sit on a log axis and are skipped. Drawn with java.awt alone, headless.
 */
final class LossCurvePlot {
    static final int WIDTH = 800;
    static final int HEIGHT = 480;
    private static final int LEFT = 72;
    private static final int RIGHT = WIDTH - 24;
    private static final int TOP = 48;
    private static final int BOTTOM = HEIGHT - 56;
    private static final Color RAW = new Color(70, 130, 180, 110);
    private static final Color AVERAGE = new Color(16, 56, 128);
    private static final Color GRID = new Color(228, 228, 228);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private final long[] steps;
    private final double[] losses;
    private final String title;

    private LossCurvePlot(TreeMap<Long, Double> curve, String title) {
        this.steps = curve.keySet().stream().mapToLong(Long::longValue).toArray();
        this.losses = curve.values().stream().mapToDouble(Double::doubleValue).toArray();
        this.title = title;
    }

    /**
     * @param rows  metric rows as logged (a numeric {@code step} and {@code loss} each; other keys are ignored)
     * @param run   the run's name, shown in the title
     * @return the plot as PNG bytes ({@link #WIDTH}×{@link #HEIGHT}); with no usable row, empty axes and a note
     */
    static byte[] png(List<? extends Map<String, ?>> rows, String run) {
        TreeMap<Long, Double> curve = new TreeMap<>();
        for (Map<String, ?> row : rows) {
            double step = number(row.get("step"));
            double loss = number(row.get("loss"));
            if (Double.isFinite(step) && Double.isFinite(loss) && loss > 0) {
                curve.put((long) step, loss);
            }
        }
        return new LossCurvePlot(curve, run + " \u2014 training loss").draw();
    }

    /** The trailing moving-average window: a twentieth of the points, between 1 and 200. */
    static int window(int points) {
        return Math.max(1, Math.min(200, points / 20));
    }

    private static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) { // Jackson writes NaN and infinities as strings
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    private byte[] draw() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.setColor(Color.BLACK);
            centered(g, title, WIDTH / 2, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            if (steps.length == 0) {
                frame(g);
                centered(g, "no finite loss logged yet", (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2);
            } else {
                plot(g);
            }
        } finally {
            g.dispose();
        }
        return PngImages.encode(image);
    }

    private void plot(Graphics2D g) {
        Axis x = Axis.steps(steps[0], steps[steps.length - 1]);
        Axis y = Axis.logLoss(losses);
        g.setStroke(new BasicStroke(1f));
        for (double t : x.ticks()) {
            g.setColor(GRID);
            g.drawLine(px(x, t), TOP, px(x, t), BOTTOM);
            g.setColor(Color.BLACK);
            g.drawLine(px(x, t), BOTTOM, px(x, t), BOTTOM + 4);
            centered(g, label(t), px(x, t), BOTTOM + 18);
        }
        FontMetrics fm = g.getFontMetrics();
        for (double t : y.ticks()) {
            int py = py(y, t);
            g.setColor(GRID);
            g.drawLine(LEFT, py, RIGHT, py);
            g.setColor(Color.BLACK);
            g.drawLine(LEFT - 4, py, LEFT, py);
            String s = label(t);
            g.drawString(s, LEFT - 7 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        frame(g);
        centered(g, "step", (LEFT + RIGHT) / 2, BOTTOM + 38);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centered(g, "loss (log scale)", -(TOP + BOTTOM) / 2, 18);
        g.setTransform(saved);

        int w = window(losses.length);
        double[] average = movingAverage(losses, w);
        g.setClip(LEFT, TOP, RIGHT - LEFT + 1, BOTTOM - TOP + 1);
        curve(g, x, y, losses, RAW, 1f);
        curve(g, x, y, average, AVERAGE, 2.2f);
        g.setClip(null);
        legend(g, w);
        g.setColor(Color.DARK_GRAY);
        String last = String.format("%,d step%s, moving average %s at step %d", steps.length, steps.length == 1 ? "" : "s",
                label(round(average[average.length - 1], 3)), steps[steps.length - 1]);
        g.drawString(last, RIGHT - g.getFontMetrics().stringWidth(last), TOP - 6);
    }

    private void curve(Graphics2D g, Axis x, Axis y, double[] values, Color color, float width) {
        g.setColor(color);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        if (values.length == 1) {
            double r = width + 1.5;
            g.fill(new Ellipse2D.Double(x.toPixel(steps[0]) - r, y.toPixel(values[0]) - r, 2 * r, 2 * r));
            return;
        }
        Path2D.Double path = new Path2D.Double();
        path.moveTo(x.toPixel(steps[0]), y.toPixel(values[0]));
        for (int i = 1; i < values.length; i++) {
            path.lineTo(x.toPixel(steps[i]), y.toPixel(values[i]));
        }
        g.draw(path);
    }

    private static void legend(Graphics2D g, int window) {
        String raw = "loss per step";
        String average = "moving average (" + window + (window == 1 ? " step)" : " steps)");
        FontMetrics fm = g.getFontMetrics();
        int width = 32 + Math.max(fm.stringWidth(raw), fm.stringWidth(average)) + 16;
        int x0 = RIGHT - 10 - width;
        int y0 = TOP + 10;
        g.setColor(Color.WHITE);
        g.fillRect(x0, y0, width, 44);
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0, y0, width, 44);
        g.setColor(RAW);
        g.drawLine(x0 + 8, y0 + 14, x0 + 32, y0 + 14);
        g.setStroke(new BasicStroke(2.2f));
        g.setColor(AVERAGE);
        g.drawLine(x0 + 8, y0 + 32, x0 + 32, y0 + 32);
        g.setColor(Color.BLACK);
        g.drawString(raw, x0 + 40, y0 + 18);
        g.drawString(average, x0 + 40, y0 + 36);
    }

    /** Trailing mean over {@code w} points (fewer at the start). */
    static double[] movingAverage(double[] v, int w) {
        double[] out = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            if (i >= w) {
                sum -= v[i - w];
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    private static void frame(Graphics2D g) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP);
    }

    private static void centered(Graphics2D g, String s, int x, int baseline) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    private static int px(Axis x, double v) {
        return (int) Math.round(x.toPixel(v));
    }

    private static int py(Axis y, double v) {
        return (int) Math.round(y.toPixel(v));
    }

    /** A tick or value as short plain text: 1000, 0.05, 0.0243. */
    static String label(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static double round(double v, int digits) {
        return new BigDecimal(v).round(new MathContext(digits)).doubleValue();
    }


    /** One axis: a data range mapped to pixels (linear, or logarithmic in base 10) and its tick values. */
    private record Axis(double lo, double hi, boolean log, int pixelLo, int pixelHi, List<Double> ticks) {
        /** Steps on x, linear, with about six round ticks (1, 2 or 5 × 10^k apart). */
        static Axis steps(long first, long last) {
            double lo = first == last ? first - 1 : first;
            double hi = first == last ? last + 1 : last;
            double spacing = Math.max(1, nice((hi - lo) / 6));
            List<Double> ticks = new ArrayList<>();
            for (double t = Math.ceil(lo / spacing) * spacing; t <= hi + 1e-9; t += spacing) {
                ticks.add(t);
            }
            return new Axis(lo, hi, false, LEFT, RIGHT, ticks);
        }

        /** Losses on y, log10, padded a little; ticks at 1·10^k, else also 2 and 5, else every digit (at least 3 if possible). */
        static Axis logLoss(double[] losses) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double v : losses) {
                lo = Math.min(lo, Math.log10(v));
                hi = Math.max(hi, Math.log10(v));
            }
            if (hi - lo < 0.2) {
                double mid = (lo + hi) / 2;
                lo = mid - 0.1;
                hi = mid + 0.1;
            }
            double pad = 0.04 * (hi - lo);
            lo -= pad;
            hi += pad;
            List<Double> ticks = List.of();
            for (int[] mantissas : new int[][] {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
                ticks = decadeTicks(lo, hi, mantissas);
                if (ticks.size() >= 3) {
                    break;
                }
            }
            if (ticks.size() < 2) { // a narrow range between two digits, e.g. 1.05..1.9: three evenly spaced values
                ticks = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    ticks.add(round(Math.pow(10, lo + i * (hi - lo) / 4), 2));
                }
            }
            return new Axis(lo, hi, true, BOTTOM, TOP, ticks);
        }

        private static List<Double> decadeTicks(double lo, double hi, int[] mantissas) {
            List<Double> ticks = new ArrayList<>();
            for (int k = (int) Math.floor(lo); k <= (int) Math.ceil(hi); k++) {
                for (int m : mantissas) {
                    double v = new BigDecimal(m).scaleByPowerOfTen(k).doubleValue();
                    if (Math.log10(v) >= lo && Math.log10(v) <= hi) {
                        ticks.add(v);
                    }
                }
            }
            return ticks;
        }

        /** The round number (1, 2 or 5 × 10^k) nearest above {@code rough}. */
        private static double nice(double rough) {
            double decade = Math.pow(10, Math.floor(Math.log10(rough)));
            for (int m : new int[] {1, 2, 5}) {
                if (m * decade >= rough) {
                    return m * decade;
                }
            }
            return 10 * decade;
        }

        double toPixel(double v) {
            double u = log ? Math.log10(v) : v;
            return pixelLo + (u - lo) / (hi - lo) * (pixelHi - pixelLo);
        }
    }
}
