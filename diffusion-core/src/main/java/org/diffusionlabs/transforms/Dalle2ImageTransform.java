package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The DALL·E 2 decoder's image preprocessing, port of {@code diffusion_labs/models/dalle2/transforms.py} (spec §7.5):
 * {@link CascadedResize} to {@code imageSize} on the shorter side, centre crop to {@code imageSize × imageSize},
 * pixels to [0, 1], then mapped linearly to [imageMin, imageMax] ({@code (max − min)·x + min} in float32).
 *
 * <p>The field holds one image {@code [c, h, w]} or a batch of equally sized images {@code [n, c, h, w]} (the
 * reference takes a PIL image or a list of them), as 8-bit values: integers 0..255 or floats {@code k/255} as our
 * readers give (see {@link PillowImage#of}); 1 (L) or 3 (RGB) channels. The result is float32 {@code [c, s, s]} or
 * {@code [n, c, s, s]} in the same field. Deterministic: the {@link Rng} is not used.
 */
public final class Dalle2ImageTransform implements Transform {
    private static final String OWNER = "Dalle2ImageTransform";
    private final int imageSize;
    private final float scale;
    private final float offset;
    private final String imageField;

    /** The reference defaults: 64 × 64 in [−1, 1], field "x". */
    public Dalle2ImageTransform() {
        this(64, -1.0, 1.0, "x");
    }

    public Dalle2ImageTransform(int imageSize, double imageMin, double imageMax, String imageField) {
        this.imageSize = Checks.positive(imageSize, OWNER, "imageSize");
        Checks.finite(imageMin, OWNER, "imageMin");
        Checks.finite(imageMax, OWNER, "imageMax");
        Checks.require(imageField != null && !imageField.isEmpty(), OWNER, "imageField", imageField,
                "must be non-empty");
        // the reference's Python-float arithmetic on a float32 tensor: both constants meet the data in float32
        this.scale = (float) (imageMax - imageMin);
        this.offset = (float) imageMin;
        this.imageField = imageField;
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        INDArray images = Checks.notNull(batch, OWNER, "batch").require(imageField, OWNER);
        Checks.require(images.rank() == 3 || images.rank() == 4, OWNER, imageField, Arrays.toString(images.shape()),
                "must be one image [c, h, w] or a batch [n, c, h, w]");
        if (images.rank() == 3) {
            return batch.with(imageField, transform(images));
        }
        Checks.require(images.size(0) > 0, OWNER, imageField, Arrays.toString(images.shape()), "must hold an image");
        INDArray[] out = new INDArray[(int) images.size(0)];
        for (int i = 0; i < out.length; i++) {
            out[i] = transform(images.get(NDArrayIndex.point(i)));
        }
        return batch.with(imageField, Nd4j.stack(0, out));
    }

    private INDArray transform(INDArray chw) {
        Checks.require(chw.size(0) == 1 || chw.size(0) == 3, OWNER, imageField + " channels", chw.size(0),
                "must be 1 (L) or 3 (RGB)");
        INDArray x = CascadedResize.apply(PillowImage.of(chw), imageSize).centerCrop(imageSize).toTensor();
        float[] v = x.data().asFloat();
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * v[i] + offset;
        }
        return Nd4j.create(v, x.shape(), 'c');
    }
}
