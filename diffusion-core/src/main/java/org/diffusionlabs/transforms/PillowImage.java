package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.PillowResample;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * An 8-bit image as PIL holds it (the reference's image transforms take PIL images): {@code channels} planes of
 * {@code height × width} values 0..255, channel-major. Immutable; the PIL operations the reference pipelines use
 * ({@code resize}, torchvision's {@code CenterCrop} and {@code ToTensor}) return new values.
 *
 * @param channels channels (1 for L, 3 for RGB)
 * @param height   rows
 * @param width    columns
 * @param codes    the values, {@code channels·height·width} of them (not copied: do not modify)
 */
public record PillowImage(int channels, int height, int width, int[] codes) {
    private static final String OWNER = "PillowImage";

    public PillowImage {
        Checks.require(channels > 0 && height > 0 && width > 0, OWNER, "channels/height/width",
                channels + "/" + height + "/" + width, "must be > 0");
        Checks.notNull(codes, OWNER, "codes");
        Checks.require((long) channels * height * width == codes.length, OWNER, "codes.length", codes.length,
                "must be channels·height·width = " + (long) channels * height * width);
    }

    /**
     * The image held by {@code chw} {@code [c, h, w]}: an integer array of values 0..255, or a floating point array of
     * values in [0, 1] (the readers' {@code k/255}), each taken as the nearest 8-bit level {@code round(255·v)}.
     *
     * @throws IllegalArgumentException naming the first value outside that range
     */
    public static PillowImage of(INDArray chw) {
        Checks.notNull(chw, OWNER, "image");
        Checks.require(chw.rank() == 3, OWNER, "image.shape", Arrays.toString(chw.shape()), "must be [c, h, w]");
        boolean fp = chw.dataType().isFPType();
        double[] v = chw.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        int[] codes = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            double code = fp ? 255.0 * v[i] : v[i];
            Checks.require(code >= 0 && code <= 255, OWNER, "image[" + i + "]", v[i],
                    fp ? "must be in [0, 1] (8-bit levels k/255)" : "must be in 0..255");
            codes[i] = (int) Math.round(code);
        }
        return new PillowImage((int) chw.size(0), (int) chw.size(1), (int) chw.size(2), codes);
    }

    /** PIL's {@code resize((newWidth, newHeight), filter)}: the image itself when the size does not change. */
    public PillowImage resize(int newWidth, int newHeight, PillowResample.Filter filter) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        return new PillowImage(channels, newHeight, newWidth,
                PillowResample.resize(codes, channels, height, width, newHeight, newWidth, filter));
    }

    /**
     * torchvision's {@code CenterCrop(size)} on a PIL image at least {@code size} on each side: offsets
     * {@code round((w − size)/2)} and {@code round((h − size)/2)}, rounding half to even as Python does.
     */
    public PillowImage centerCrop(int size) {
        Checks.require(size > 0 && size <= width && size <= height, OWNER, "crop size", size,
                "must be in [1, min(width, height) = " + Math.min(width, height) + "]");
        int top = (int) Math.rint((height - size) / 2.0);
        int left = (int) Math.rint((width - size) / 2.0);
        int[] out = new int[channels * size * size];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(codes, (c * height + top + y) * width + left, out, (c * size + y) * size, size);
            }
        }
        return new PillowImage(channels, size, size, out);
    }

    /** torchvision's {@code ToTensor}: float32 {@code [c, h, w]} of {@code k / 255} (a float32 division). */
    public INDArray toTensor() {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = codes[i] / 255f;
        }
        return Nd4j.create(out, new long[] {channels, height, width}, 'c');
    }
}
