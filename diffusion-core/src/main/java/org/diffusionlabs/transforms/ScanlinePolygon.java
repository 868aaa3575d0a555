package org.diffusionlabs.transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pillow 9.4's scan-line polygon filler for images without alpha (libImaging Draw.c behaviour, reimplemented):
 * edges between consecutive integer vertices; horizontal edges are drawn directly as spans; for every row the
 * intercepts {@code (y − y0)·dx + x0} are computed in float32 (an edge ending on the row counts twice unless it is
 * the last row), a "discontiguous corner" correction nudges an earlier intercept when two same-slope-sign edges
 * meet at an integral intercept, then sorted intercepts are paired and each span is filled from
 * {@link #roundAway(float)} of the left to {@link #roundToward(float)} of the right. Used by {@link BinaryCanvas}
 * for wide lines. The quirky indexing of the corner correction (it writes the intercept slot numbered like the
 * other edge) is kept, as it decides pixels.
 */
final class ScanlinePolygon {
    private ScanlinePolygon() {}

    /** Pillow's edge descriptor. */
    private static final class Edge {
        final int x0;
        final int y0;
        final int xmin;
        final int xmax;
        final int ymin;
        final int ymax;
        final float dx;

        Edge(int x0, int y0, int x1, int y1) {
            this.xmin = Math.min(x0, x1);
            this.xmax = Math.max(x0, x1);
            this.ymin = Math.min(y0, y1);
            this.ymax = Math.max(y0, y1);
            this.dx = y0 == y1 ? 0f : (float) (x1 - x0) / (y1 - y0);
            this.x0 = x0;
            this.y0 = y0;
        }

        float interceptAt(int y) {
            return (y - y0) * dx + x0;
        }
    }

    /** Fills the closed polygon through {@code vertices} ({@code [[x, y], ...]}) on {@code canvas}. */
    static void fill(BinaryCanvas canvas, int[][] vertices) {
        int n = vertices.length;
        if (n == 0) {
            return;
        }
        int ymin = canvas.height() - 1;
        int ymax = 0;
        List<Edge> table = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] a = vertices[i];
            int[] b = vertices[(i + 1) % n];
            Edge e = new Edge(a[0], a[1], b[0], b[1]);
            ymin = Math.min(ymin, e.ymin);
            ymax = Math.max(ymax, e.ymax);
            if (e.ymin == e.ymax) {
                canvas.hline(e.xmin, e.ymin, e.xmax);
            } else {
                table.add(e);
            }
        }
        ymin = Math.max(ymin, 0);
        ymax = Math.min(ymax, canvas.height());
        float[] xx = new float[table.size() * 2];
        for (int y = ymin; y <= ymax; y++) {
            int j = 0;
            for (int i = 0; i < table.size(); i++) {
                Edge cur = table.get(i);
                if (y < cur.ymin || y > cur.ymax) {
                    continue;
                }
                xx[j++] = cur.interceptAt(y);
                if (y == cur.ymax && y < ymax) {
                    xx[j] = xx[j - 1];
                    j++;
                } else if (cur.dx != 0 && xx[j - 1] == Math.rint(xx[j - 1])) {
                    connectCorner(table, xx, i, j, y, ymax);
                }
            }
            Arrays.sort(xx, 0, j);
            for (int i = 1; i < j; i += 2) {
                canvas.hline(roundAway(xx[i - 1]), y, roundToward(xx[i]));
            }
        }
    }

    private static void connectCorner(List<Edge> table, float[] xx, int i, int j, int y, int ymax) {
        Edge cur = table.get(i);
        for (int k = 0; k < i; k++) {
            Edge other = table.get(k);
            if ((cur.dx > 0 && other.dx <= 0) || (cur.dx < 0 && other.dx >= 0)) {
                continue;
            }
            boolean sharedEnd = (y == cur.ymin && y == other.ymin) || (y == cur.ymax && y == other.ymax);
            if (sharedEnd && xx[j - 1] == other.interceptAt(y)) {
                int offset = y == ymax ? -1 : 1;
                float adjacent = cur.interceptAt(y + offset);
                float adjacentOther = other.interceptAt(y + offset);
                if (y == cur.ymax) {
                    xx[k] = cur.dx > 0 ? Math.max(adjacent, adjacentOther) + 1 : Math.min(adjacent, adjacentOther) - 1;
                } else {
                    xx[k] = cur.dx > 0 ? Math.min(adjacent, adjacentOther) : Math.max(adjacent, adjacentOther) + 1;
                }
                return;
            }
        }
    }

    /** Pillow's ROUND_UP for a float: half away from zero, with the +0.5 added in float32. */
    static int roundAway(float f) {
        return f >= 0 ? (int) Math.floor(f + 0.5f) : -(int) Math.floor(Math.abs(f) + 0.5f);
    }

    /** Pillow's ROUND_DOWN for a float: half towards zero, with the −0.5 subtracted in float32. */
    static int roundToward(float f) {
        return f >= 0 ? (int) Math.ceil(f - 0.5f) : -(int) Math.ceil(Math.abs(f) - 0.5f);
    }

    /** ROUND_UP for a double argument (the 0.5 is promoted to double). */
    static int roundAway(double f) {
        return f >= 0 ? (int) Math.floor(f + 0.5) : -(int) Math.floor(Math.abs(f) + 0.5);
    }

    /** ROUND_DOWN for a double argument. */
    static int roundToward(double f) {
        return f >= 0 ? (int) Math.ceil(f - 0.5) : -(int) Math.ceil(Math.abs(f) - 0.5);
    }
}
