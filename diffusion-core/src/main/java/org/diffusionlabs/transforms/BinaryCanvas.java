package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A 1-bit image ({@code Image.new("1", (w, h), 0)}) with the filled-shape rasterisation of Pillow 9.4's
 * {@code ImageDraw} as the reference's brush-stroke masks use it ({@code draw.line(xy, fill=1, width=w)} and
 * filled {@code draw.ellipse}), reimplemented from the documented behaviour of libImaging's Draw.c so that the
 * masks match pixel for pixel (spec §7.4):
 * <ul>
 *   <li>a line of width ≤ 1 is Bresenham per segment plus the final point;</li>
 *   <li>a wider line is drawn per segment (no joins) as a quadrilateral whose half-widths are the
 *       (width−1)/2 rounded up and down and projected with round-towards-zero, filled by Pillow's scan-line polygon
 *       filler (float edge intercepts, horizontal edges drawn directly, span ends rounded in and out);</li>
 *   <li>a filled ellipse uses {@link EllipseSpans} (Pillow's integer ellipse walker on the doubled grid).</li>
 * </ul>
 * Drawing is clipped to the image. Pixels are set to 1 ("fill=1"); nothing is ever cleared.
 */
public final class BinaryCanvas {
    private static final String OWNER = "BinaryCanvas";
    private final int width;
    private final int height;
    private final byte[] pixels;

    /** A blank (all 0) canvas of {@code width × height} pixels. */
    public BinaryCanvas(int width, int height) {
        this.width = Checks.positive(width, OWNER, "width");
        this.height = Checks.positive(height, OWNER, "height");
        this.pixels = new byte[Math.multiplyExact(width, height)];
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** True when pixel (x, y) is set; false outside the image. */
    public boolean get(int x, int y) {
        return x >= 0 && x < width && y >= 0 && y < height && pixels[y * width + x] != 0;
    }

    /** The number of set pixels. */
    public int count() {
        int n = 0;
        for (byte p : pixels) {
            n += p;
        }
        return n;
    }

    /** The image as a {@code [1, H, W]} tensor of 0/1 in {@code type} (the reference's numpy → torch conversion). */
    public INDArray toMask(DataType type) {
        float[] v = new float[pixels.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = pixels[i];
        }
        return Nd4j.create(v, new long[] {1, height, width}, 'c').castTo(type);
    }

    /** Sets one pixel (clipped). */
    public void point(int x, int y) {
        if (x >= 0 && x < width && y >= 0 && y < height) {
            pixels[y * width + x] = 1;
        }
    }

    /** Sets the pixels x0..x1 (inclusive, either order) of row y, clipped. */
    public void hline(int x0, int y, int x1) {
        if (y < 0 || y >= height) {
            return;
        }
        int lo = Math.min(x0, x1);
        int hi = Math.max(x0, x1);
        if (lo >= width || hi < 0) {
            return;
        }
        lo = Math.max(lo, 0);
        hi = Math.min(hi, width - 1);
        Arrays.fill(pixels, y * width + lo, y * width + hi + 1, (byte) 1);
    }

    /**
     * {@code ImageDraw.line(points, fill=1, width)} for integer points {@code [[x, y], ...]}: Bresenham segments
     * and the final point when width ≤ 1, otherwise one filled quadrilateral per segment.
     */
    public void line(int[][] points, int lineWidth) {
        Checks.notNull(points, OWNER, "points");
        if (lineWidth <= 1) {
            for (int i = 0; i + 1 < points.length; i++) {
                thinLine(points[i][0], points[i][1], points[i + 1][0], points[i + 1][1]);
            }
            if (points.length >= 2) {
                int[] last = points[points.length - 1];
                point(last[0], last[1]);
            }
            return;
        }
        for (int i = 0; i + 1 < points.length; i++) {
            wideLine(points[i][0], points[i][1], points[i + 1][0], points[i + 1][1], lineWidth);
        }
    }

    /** {@code ImageDraw.ellipse((x0, y0, x1, y1), fill=1)} with an integer bounding box (inclusive corners). */
    public void fillEllipse(int x0, int y0, int x1, int y1) {
        int a = x1 - x0;
        int b = y1 - y0;
        if (a < 0 || b < 0) {
            return;
        }
        EllipseSpans spans = new EllipseSpans(a, b, a + b);
        int[] span = new int[3];
        while (spans.next(span)) {
            hline(x0 + (span[0] + a) / 2, y0 + (span[1] + b) / 2, x0 + (span[2] + a) / 2);
        }
    }

    private void thinLine(int x0, int y0, int x1, int y1) {
        int dx = Math.abs(x1 - x0);
        int dy = Math.abs(y1 - y0);
        int xs = x1 >= x0 ? 1 : -1;
        int ys = y1 >= y0 ? 1 : -1;
        int x = x0;
        int y = y0;
        if (dx == 0 || dy == 0) {
            int n = Math.max(dx, dy);
            for (int i = 0; i < n; i++) {
                point(x, y);
                if (dx == 0) {
                    y += ys;
                } else {
                    x += xs;
                }
            }
        } else if (dx > dy) {
            int e = 2 * dy - dx;
            for (int i = 0; i < dx; i++) {
                point(x, y);
                if (e >= 0) {
                    y += ys;
                    e -= 2 * dx;
                }
                e += 2 * dy;
                x += xs;
            }
        } else {
            int e = 2 * dx - dy;
            for (int i = 0; i < dy; i++) {
                point(x, y);
                if (e >= 0) {
                    x += xs;
                    e -= 2 * dy;
                }
                e += 2 * dx;
                y += ys;
            }
        }
    }

    private void wideLine(int x0, int y0, int x1, int y1, int lineWidth) {
        int dx = x1 - x0;
        int dy = y1 - y0;
        if (dx == 0 && dy == 0) {
            point(x0, y0);
            return;
        }
        double hypotenuse = Math.hypot(dx, dy);
        double halfWidth = (lineWidth - 1) / 2.0;
        double ratioMax = ScanlinePolygon.roundAway(halfWidth) / hypotenuse;
        double ratioMin = ScanlinePolygon.roundToward(halfWidth) / hypotenuse;
        int dxMin = ScanlinePolygon.roundToward(ratioMin * dy);
        int dxMax = ScanlinePolygon.roundToward(ratioMax * dy);
        int dyMin = ScanlinePolygon.roundToward(ratioMin * dx);
        int dyMax = ScanlinePolygon.roundToward(ratioMax * dx);
        int[][] quad = {
            {x0 - dxMin, y0 + dyMax},
            {x1 - dxMin, y1 + dyMax},
            {x1 + dxMax, y1 - dyMin},
            {x0 + dxMax, y0 - dyMin}};
        ScanlinePolygon.fill(this, quad);
    }
}
