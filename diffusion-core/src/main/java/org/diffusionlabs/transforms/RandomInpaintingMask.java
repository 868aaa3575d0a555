package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adds a random "known region" mask for inpainting training (spec §7.4, reference
 * {@code transforms/inpainting_transform.py} {@code RandomInpaintingMask}; Palette arXiv:2111.05826, GLIDE
 * arXiv:2112.10741). Per image: with probability {@code probMaskingThreshold} the whole image is masked; otherwise
 * k ∈ {0, 1, 2, 3} picks an inpainting box (0), brush strokes (1) or outpainting (2 or 3, so twice as likely).
 * The stored value is {@code 1 − mask} (1 = known pixel, 0 = to generate; a full mask gives all zeros, i.e.
 * unconditional). Batched input {@code [B, C, H, W]} gives {@code [B, 1, H, W]}; unbatched {@code [C, H, W]} gives
 * {@code [1, H, W]}.
 *
 * <p>Randomness, deliberately different from the reference (which mixes Python's {@code random}, torch and
 * NumPy global generators): everything comes from the one {@link Rng} passed to {@link #apply}. The threshold
 * test uses {@code rng.uniformDouble()}, the choice {@code rng.randint(0, 4)}, boxes draw from the same Rng, and
 * brush strokes use a {@link NumpyRandomState} seeded with {@code rng.nextUnsigned32()} at that point.
 */
public final class RandomInpaintingMask implements Transform {
    private static final String OWNER = "RandomInpaintingMask";
    private final double probMaskingThreshold;
    private final boolean batched;
    private final String dataField;
    private final String maskField;

    /** The reference defaults: threshold 0.25, batched, fields "x" and "mask". */
    public RandomInpaintingMask() {
        this(0.25, true, "x", "mask");
    }

    public RandomInpaintingMask(double probMaskingThreshold, boolean batched, String dataField, String maskField) {
        this.probMaskingThreshold = Checks.inRange(probMaskingThreshold, 0.0, 1.0, OWNER, "probMaskingThreshold");
        this.batched = batched;
        Checks.require(dataField != null && !dataField.isEmpty(), OWNER, "dataField", dataField, "must be non-empty");
        Checks.require(maskField != null && !maskField.isEmpty(), OWNER, "maskField", maskField, "must be non-empty");
        this.dataField = dataField;
        this.maskField = maskField;
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        Checks.notNull(rng, OWNER, "rng");
        INDArray data = batch.require(dataField, OWNER);
        if (!batched) {
            Checks.require(data.rank() == 3, OWNER, dataField + ".shape", data.shape(), "must be [C, H, W] when unbatched");
            return batch.with(maskField, randomMask(data, rng));
        }
        Checks.require(data.rank() == 4, OWNER, dataField + ".shape", data.shape(), "must be [B, C, H, W] when batched");
        int b = Math.toIntExact(data.size(0));
        INDArray[] masks = new INDArray[b];
        for (int i = 0; i < b; i++) {
            masks[i] = randomMask(data.slice(i), rng);
        }
        return batch.with(maskField, Nd4j.stack(0, masks));
    }

    /** One image's {@code 1 − mask}, {@code [1, H, W]} in the image's dtype. */
    INDArray randomMask(INDArray image, Rng rng) {
        INDArray mask;
        if (rng.uniformDouble() < probMaskingThreshold) {
            mask = InpaintingMasks.maskFullImage(image);
        } else {
            long chosen = rng.randint(0, 4);
            if (chosen == 0) {
                mask = InpaintingMasks.randomInpaintMask(image, rng);
            } else if (chosen == 1) {
                mask = InpaintingMasks.brushStrokeMask(image, new NumpyRandomState(rng.nextUnsigned32()));
            } else {
                mask = InpaintingMasks.randomOutpaintMask(image, rng);
            }
        }
        return mask.rsub(1.0);
    }
}
