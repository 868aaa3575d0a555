package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The mask generators of the reference's {@code transforms/inpainting_transform.py} (spec §7.4; Palette,
 * arXiv:2111.05826, and GLIDE, arXiv:2112.10741): each takes an image {@code [C, H, W]} and returns a
 * {@code [1, H, W]} mask of the image's dtype with 1 inside the region to generate. Boxes and outpainting
 * draw from a PyTorch-compatible {@link Rng} (torch.randint semantics, hi exclusive); brush strokes draw from a
 * {@link NumpyRandomState} (the reference uses NumPy's global legacy generator) and are rasterised with
 * {@link BinaryCanvas} (Pillow 9.4 semantics). Every generator is passed explicitly.
 */
public final class InpaintingMasks {
    public static final int MIN_IMAGE_SIZE = 64;
    public static final int MIN_BRUSH_STROKE = 20;
    public static final int MAX_BRUSH_STROKE = 35;
    public static final int MAX_BBOX = 48;
    public static final int MIN_NUM_VERTEX = 1;
    public static final int MAX_NUM_VERTEX = 3;
    private static final String OWNER = "InpaintingMasks";

    private InpaintingMasks() {}

    /**
     * {@code random_inpaint_mask_image}: a box of nominal size (48·H/64) × (48·W/64) at a random position inside
     * the margins, shrunk by random insets dh ∈ [0, h/3], dw ∈ [0, w/3] on both sides. Draw order: top, left, dh, dw.
     */
    public static INDArray randomInpaintMask(INDArray image, Rng rng, int verticalMargin, int horizontalMargin) {
        long[] hw = heightWidth(image);
        Checks.notNull(rng, OWNER, "rng");
        int h = (int) hw[0];
        int w = (int) hw[1];
        int boxH = MAX_BBOX * h / MIN_IMAGE_SIZE;
        int boxW = MAX_BBOX * w / MIN_IMAGE_SIZE;
        Checks.require(h - verticalMargin - boxH > verticalMargin, OWNER, "verticalMargin", verticalMargin,
                "leaves no room for the box in height " + h);
        Checks.require(w - horizontalMargin - boxW > horizontalMargin, OWNER, "horizontalMargin", horizontalMargin,
                "leaves no room for the box in width " + w);
        int top = (int) rng.randint(verticalMargin, h - verticalMargin - boxH);
        int left = (int) rng.randint(horizontalMargin, w - horizontalMargin - boxW);
        int dh = (int) rng.randint(0, boxH / 3 + 1);
        int dw = (int) rng.randint(0, boxW / 3 + 1);
        return boxMask(image, h, w, top + dh, top + boxH - dh, left + dw, left + boxW - dw);
    }

    /** {@link #randomInpaintMask(INDArray, Rng, int, int)} without margins (the reference defaults). */
    public static INDArray randomInpaintMask(INDArray image, Rng rng) {
        return randomInpaintMask(image, rng, 0, 0);
    }

    /**
     * {@code random_outpaint_mask_image}: side = randint(0, 4), size = randint(minDelta, H/2 or W/2); side 0 masks
     * the bottom rows, 1 the top rows, 2 the right columns, 3 the left columns.
     */
    public static INDArray randomOutpaintMask(INDArray image, Rng rng, int minDelta) {
        long[] hw = heightWidth(image);
        Checks.notNull(rng, OWNER, "rng");
        int h = (int) hw[0];
        int w = (int) hw[1];
        int side = (int) rng.randint(0, 4);
        int maxDelta = side <= 1 ? h / 2 : w / 2;
        Checks.require(maxDelta > minDelta, OWNER, "minDelta", minDelta, "must be below " + maxDelta);
        int size = (int) rng.randint(minDelta, maxDelta);
        return switch (side) {
            case 0 -> boxMask(image, h, w, h - size, h, 0, w);
            case 1 -> boxMask(image, h, w, 0, size, 0, w);
            case 2 -> boxMask(image, h, w, 0, h, w - size, w);
            default -> boxMask(image, h, w, 0, h, 0, size);
        };
    }

    /** {@link #randomOutpaintMask(INDArray, Rng, int)} with minDelta 0 (the reference default). */
    public static INDArray randomOutpaintMask(INDArray image, Rng rng) {
        return randomOutpaintMask(image, rng, 0);
    }

    /**
     * {@code brush_stroke_mask_image}: 1 or 2 strokes, each of 1 or 2 segments from {@link #generateVertexes}
     * with width int(U(20·W/64, 35·W/64)), drawn with {@link #drawStrokes}; then the reference's two flip draws
     * ({@code normal()} each, results unused since its flips are no-ops) are consumed for stream parity.
     */
    public static INDArray brushStrokeMask(INDArray image, NumpyRandomState np) {
        long[] hw = heightWidth(image);
        Checks.notNull(np, OWNER, "np");
        int h = (int) hw[0];
        int w = (int) hw[1];
        int minWidth = MIN_BRUSH_STROKE * w / MIN_IMAGE_SIZE;
        int maxWidth = MAX_BRUSH_STROKE * w / MIN_IMAGE_SIZE;
        BinaryCanvas canvas = new BinaryCanvas(w, h);
        long strokes = np.randint(1, 3);
        for (long s = 0; s < strokes; s++) {
            int numVertexes = (int) np.randint(MIN_NUM_VERTEX, MAX_NUM_VERTEX);
            int[][] vertexes = generateVertexes(numVertexes, w, h, np);
            int width = (int) np.uniform(minWidth, maxWidth);
            drawStrokes(canvas, vertexes, width);
        }
        np.standardNormal(); // reference: left-right flip decision, result discarded
        np.standardNormal(); // reference: top-bottom flip decision, result discarded
        return canvas.toMask(image.dataType());
    }

    /** {@code mask_full_image}: ones {@code [1, H, W]}. */
    public static INDArray maskFullImage(INDArray image) {
        long[] hw = heightWidth(image);
        return Nd4j.ones(image.dataType(), 1, hw[0], hw[1]);
    }

    /**
     * {@code generate_vertexes}: a start point in the lower-right quarter region, then {@code numVertexes} points
     * reached by steps of length clip(N(R, floor(R/2)), 0, 2R) with R = √(2HW)/8 along angles near π (alternately
     * mirrored); all angles are drawn before the radii. Returns {@code numVertexes + 1} points {@code [x, y]},
     * clipped to [0, W] × [0, H] and truncated to int.
     */
    public static int[][] generateVertexes(int numVertexes, int width, int height, NumpyRandomState np) {
        Checks.require(numVertexes >= 0, OWNER, "numVertexes", numVertexes, "must be >= 0");
        Checks.positive(width, OWNER, "width");
        Checks.positive(height, OWNER, "height");
        Checks.notNull(np, OWNER, "np");
        int[][] vertex = new int[numVertexes + 1][];
        int x0 = (int) np.randint(width / 2, width - width / 4);
        int y0 = (int) np.randint(height / 2, height - height / 4);
        vertex[0] = new int[] {x0, y0};
        double averageRadius = Math.sqrt((double) height * width + (double) width * height) / 8;
        double meanAngle = 2 * Math.PI / 2;
        double angleRange = 2 * Math.PI / 8;
        double angleMin = meanAngle - np.uniform(0, angleRange);
        double angleMax = meanAngle + np.uniform(0, angleRange);
        double[] angles = new double[numVertexes];
        for (int i = 0; i < numVertexes; i++) {
            angles[i] = i % 2 == 0 ? 2 * Math.PI - np.uniform(angleMin, angleMax) : np.uniform(angleMin, angleMax);
        }
        for (int i = 0; i < numVertexes; i++) {
            double r = clip(np.normal(averageRadius, Math.floor(averageRadius / 2)), 0, 2 * averageRadius);
            double newX = clip(vertex[i][0] + r * Math.cos(angles[i]), 0, width);
            double newY = clip(vertex[i][1] + r * Math.sin(angles[i]), 0, height);
            vertex[i + 1] = new int[] {(int) newX, (int) newY};
        }
        return vertex;
    }

    /**
     * {@code draw_strokes}: a polyline of the given width through the vertexes, then a filled ellipse with box
     * (x − width/2, y − width/2, x + width/2, y + width/2) (integer halves) at every vertex.
     */
    public static void drawStrokes(BinaryCanvas canvas, int[][] vertexes, int width) {
        Checks.notNull(canvas, OWNER, "canvas");
        Checks.notNull(vertexes, OWNER, "vertexes");
        canvas.line(vertexes, width);
        int half = Math.floorDiv(width, 2);
        for (int[] v : vertexes) {
            canvas.fillEllipse(v[0] - half, v[1] - half, v[0] + half, v[1] + half);
        }
    }

    private static double clip(double v, double lo, double hi) {
        return Math.min(Math.max(v, lo), hi);
    }

    private static INDArray boxMask(INDArray image, int h, int w, int rowFrom, int rowTo, int colFrom, int colTo) {
        INDArray mask = Nd4j.zeros(image.dataType(), 1, h, w);
        int r0 = Math.max(rowFrom, 0);
        int r1 = Math.min(rowTo, h);
        int c0 = Math.max(colFrom, 0);
        int c1 = Math.min(colTo, w);
        if (r1 > r0 && c1 > c0) {
            mask.get(NDArrayIndex.all(), NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(c0, c1)).assign(1.0);
        }
        return mask;
    }

    private static long[] heightWidth(INDArray image) {
        Checks.notNull(image, OWNER, "image");
        Checks.require(image.rank() == 3, OWNER, "image.shape", image.shape(), "must be [C, H, W]");
        return new long[] {image.size(1), image.size(2)};
    }
}
