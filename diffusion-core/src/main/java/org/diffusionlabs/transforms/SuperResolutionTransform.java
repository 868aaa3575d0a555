package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Interpolation;
import org.diffusionlabs.nd.TruthyClamp;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * Builds the conditioning image of a super-resolution diffusion model (spec §7.3, reference
 * {@code transforms/super_resolution_transform.py}): the batched NCHW data is resized down to
 * {@code lowResSize}, optionally clamped and augmented, then resized back up to {@code size}; the result is
 * stored under {@code lowResField} (so the "low-res" image already has the full size). The data is untouched.
 *
 * <p>Clamping quirk kept for parity: the reference clamps only when {@code min_val or max_val} is truthy in
 * Python, i.e. when at least one bound is non-null <em>and non-zero</em>. So {@code (0, null)} and
 * {@code (0, 0)} never clamp, while {@code (0, 1)} clamps to [0, 1]; a null bound leaves that side open.
 * Only {@code align_corners=False} exists here (the reference default). Deterministic: the {@link Rng} is not used
 * (an augmentation that needs randomness must carry its own explicit generator).
 */
public final class SuperResolutionTransform implements Transform {
    private static final String OWNER = "SuperResolutionTransform";
    private final int size;
    private final int lowResSize;
    private final String dataField;
    private final String lowResField;
    private final TruthyClamp clamp;
    private final boolean antialias;
    private final Interpolation.Mode mode;
    private final UnaryOperator<INDArray> augmentation;

    /** The reference defaults: fields "x"/"low_res", no clamp, bicubic with antialias, no augmentation. */
    public SuperResolutionTransform(int size, int lowResSize) {
        this(size, lowResSize, "x", "low_res", null, null, true, Interpolation.Mode.BICUBIC, null);
    }

    /**
     * @param minVal       lower clamp bound or null (see the class note on when clamping happens)
     * @param maxVal       upper clamp bound or null
     * @param augmentation applied to the clamped low-resolution image before upsampling; null for none
     */
    public SuperResolutionTransform(int size, int lowResSize, String dataField, String lowResField, Double minVal,
                                    Double maxVal, boolean antialias, Interpolation.Mode mode,
                                    UnaryOperator<INDArray> augmentation) {
        this.size = Checks.positive(size, OWNER, "size");
        this.lowResSize = Checks.positive(lowResSize, OWNER, "lowResSize");
        Checks.require(dataField != null && !dataField.isEmpty(), OWNER, "dataField", dataField, "must be non-empty");
        Checks.require(lowResField != null && !lowResField.isEmpty(), OWNER, "lowResField", lowResField,
                "must be non-empty");
        Checks.require(minVal == null || !minVal.isNaN(), OWNER, "minVal", minVal, "must not be NaN");
        Checks.require(maxVal == null || !maxVal.isNaN(), OWNER, "maxVal", maxVal, "must not be NaN");
        this.clamp = new TruthyClamp(minVal, maxVal);
        Checks.require(!antialias || mode != Interpolation.Mode.NEAREST, OWNER, "antialias", antialias,
                "is only supported for bilinear and bicubic modes");
        this.dataField = dataField;
        this.lowResField = lowResField;
        this.antialias = antialias;
        this.mode = Checks.notNull(mode, OWNER, "mode");
        this.augmentation = augmentation;
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        INDArray data = batch.require(dataField, OWNER);
        Checks.require(data.rank() == 4, OWNER, dataField + ".shape", data.shape(), "must be batched NCHW (rank 4)");
        INDArray down = clamp(Interpolation.resize(data, lowResSize, mode, antialias));
        if (augmentation != null) {
            down = Checks.notNull(augmentation.apply(down), OWNER, "augmentation result");
        }
        INDArray up = clamp(Interpolation.resize(down, size, mode, antialias));
        return batch.with(lowResField, up);
    }

    /** Whether the clamp applies (the reference's {@code min_val or max_val}). */
    boolean clamps() {
        return clamp.active();
    }

    private INDArray clamp(INDArray x) {
        return clamp.apply(x);
    }
}
