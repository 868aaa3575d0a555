package org.diffusionlabs.transforms;

/**
 * Horizontal spans of an ellipse ring the way Pillow 9.4 walks it (libImaging Draw.c behaviour, reimplemented):
 * on a grid doubled in both axes (so half-pixel centres are integers), a Bresenham-style walk over one quarter of
 * the outer ellipse with semi-axes (a, b) and of the inner one with (a − 2(w−1), b − 2(w−1)) — at each step the
 * candidate among (x, y+2), (x−2, y+2), (x−2, y) with the smallest |a²y² + b²x² − a²b²| wins — yields per row the
 * span between the inner and outer curve, mirrored into the four quadrants. A filled ellipse is the ring with
 * {@code w = a + b} (no inner curve). Spans are emitted as (x0, y, x1) in doubled coordinates centred on the box;
 * {@link BinaryCanvas#fillEllipse} maps them back with {@code x = left + (X + a) / 2}.
 */
final class EllipseSpans {
    /** One quarter of an ellipse, walked from (a, b mod 2) to (a mod 2, b). */
    private static final class Quarter {
        private final long a2;
        private final long b2;
        private final long a2b2;
        private final int ex;
        private final int ey;
        private int cx;
        private int cy;
        private boolean finished;

        Quarter(int a, int b) {
            if (a < 0 || b < 0) {
                finished = true;
                a2 = b2 = a2b2 = 0;
                ex = ey = 0;
                return;
            }
            cx = a;
            cy = b % 2;
            ex = a % 2;
            ey = b;
            a2 = (long) a * a;
            b2 = (long) b * b;
            a2b2 = a2 * b2;
        }

        private long delta(long x, long y) {
            return Math.abs(a2 * y * y + b2 * x * x - a2b2);
        }

        /** Writes the current point into {@code out} ([x, y]) and advances; false when already finished. */
        boolean next(int[] out) {
            if (finished) {
                return false;
            }
            out[0] = cx;
            out[1] = cy;
            if (cx == ex && cy == ey) {
                finished = true;
                return true;
            }
            int nx = cx;
            int ny = cy + 2;
            long best = delta(nx, ny);
            if (nx > 1) {
                long diag = delta(cx - 2, cy + 2);
                if (best > diag) {
                    nx = cx - 2;
                    ny = cy + 2;
                    best = diag;
                }
                long left = delta(cx - 2, cy);
                if (best > left) {
                    nx = cx - 2;
                    ny = cy;
                }
            }
            cx = nx;
            cy = ny;
            return true;
        }
    }

    private final Quarter outer;
    private final Quarter inner;
    private final int leftmost;
    private final int[] bufL = new int[4];
    private final int[] bufY = new int[4];
    private final int[] bufR = new int[4];
    private int buffered;
    private boolean finished;
    private int py;
    private int pl;
    private int pr;

    /** Spans of the ring of width {@code w} inside the ellipse with doubled semi-axes a, b (box extents). */
    EllipseSpans(int a, int b, int w) {
        leftmost = a % 2;
        outer = new Quarter(a, b);
        int[] p = new int[2];
        if (w < 1 || !outer.next(p)) {
            finished = true;
            inner = null;
        } else {
            pr = p[0];
            py = p[1];
            inner = new Quarter(a - 2 * (w - 1), b - 2 * (w - 1));
            pl = leftmost;
        }
    }

    /** Writes the next span as [x0, y, x1] (doubled, centred coordinates); false when done. */
    boolean next(int[] span) {
        if (buffered == 0) {
            if (finished) {
                return false;
            }
            fillBuffer();
        }
        --buffered;
        span[0] = bufL[buffered];
        span[1] = bufY[buffered];
        span[2] = bufR[buffered];
        return true;
    }

    private void fillBuffer() {
        int y = py;
        int l = pl;
        int r = pr;
        int[] c = new int[2];
        boolean more;
        while ((more = outer.next(c)) && c[1] <= y) {
            // skip the outer points still on this row
        }
        if (!more) {
            finished = true;
        } else {
            pr = c[0];
            py = c[1];
        }
        c[0] = 0;
        c[1] = 0;
        while ((more = inner.next(c)) && c[1] <= y) {
            l = c[0];
        }
        pl = more ? c[0] : leftmost;
        if ((l > 0 || l < r) && y > 0) {
            push(l == 0 ? 2 : l, y, r);
        }
        if (y > 0) {
            push(-r, y, -l);
        }
        if (l > 0 || l < r) {
            push(l == 0 ? 2 : l, -y, r);
        }
        push(-r, -y, -l);
    }

    private void push(int left, int y, int right) {
        bufL[buffered] = left;
        bufY[buffered] = y;
        bufR[buffered] = right;
        buffered++;
    }
}
