package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Interpolation;
import org.diffusionlabs.nd.TruthyClamp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Super-resolution conditioning, port of {@code diffusion_labs/modules/adapters/super_resolution.py} (spec §5.3):
 * the low-resolution image from the conditioning (zeros like x when absent) is resized to x's spatial size and
 * concatenated to x on the channel axis, so the inner model (built for {@code 2·C} input channels) denoises the
 * high-resolution image given the low-resolution one.
 *
 * <p>Reference behaviour kept for parity (spec §14.5):
 * <ul>
 *   <li>The resize ({@link Interpolation}, bicubic with antialias by default, {@code align_corners=False} only)
 *       happens whenever the <em>whole</em> shape differs from x's, and clamping follows only then and only when
 *       {@code min_val or max_val} is truthy in Python: a null <em>or zero</em> bound counts as unset, so
 *       {@code (0, null)} never clamps while {@code (0, 1)} clamps to [0, 1]; a null bound leaves its side open.</li>
 *   <li>The inner model is called <b>without</b> the conditioning ({@link Conditioning#none()}): conditions meant
 *       for an adapter or network below this one are dropped.</li>
 * </ul>
 * A variance-predicting inner U-Net would need {@code 4·C} output channels (spec §5.4).
 */
public final class SuperResolution implements DenoisingModel {
    private static final String OWNER = "SuperResolution";
    private final DenoisingModel model;
    private final String lowResName;
    private final boolean antialias;
    private final Interpolation.Mode mode;
    private final TruthyClamp clamp;

    /** The reference defaults: field "low_res", bicubic with antialias, no clamp. */
    public SuperResolution(DenoisingModel model) {
        this(model, "low_res", true, Interpolation.Mode.BICUBIC, null, null);
    }

    /**
     * @param minVal lower clamp bound or null (see the class note on when clamping happens)
     * @param maxVal upper clamp bound or null
     */
    public SuperResolution(DenoisingModel model, String lowResName, boolean antialias, Interpolation.Mode mode,
                           Double minVal, Double maxVal) {
        this.model = Checks.notNull(model, OWNER, "model");
        Checks.require(lowResName != null && !lowResName.isEmpty(), OWNER, "lowResName", lowResName, "must be non-empty");
        this.mode = Checks.notNull(mode, OWNER, "mode");
        Checks.require(!antialias || mode != Interpolation.Mode.NEAREST, OWNER, "antialias", antialias,
                "is only supported for bilinear and bicubic modes");
        Checks.require(minVal == null || !minVal.isNaN(), OWNER, "minVal", minVal, "must not be NaN");
        Checks.require(maxVal == null || !maxVal.isNaN(), OWNER, "maxVal", maxVal, "must not be NaN");
        this.clamp = new TruthyClamp(minVal, maxVal);
        this.lowResName = lowResName;
        this.antialias = antialias;
    }

    public DenoisingModel model() {
        return model;
    }

    @Override
    public DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c) {
        Checks.notNull(xt, OWNER, "xt");
        Checks.notNull(c, OWNER, "c");
        Checks.require(xt.rank() == 4, OWNER, "xt", xt.shape(), "must be NCHW");
        INDArray lowRes = c.has(lowResName) ? c.get(lowResName) : Nd4j.zeros(xt.dataType(), xt.shape());
        if (!Arrays.equals(lowRes.shape(), xt.shape())) {
            Checks.require(lowRes.rank() == 4 && lowRes.size(0) == xt.size(0), OWNER, lowResName, lowRes.shape(),
                    "must be NCHW with the batch of xt " + Arrays.toString(xt.shape()));
            INDArray src = lowRes.dataType() == DataType.DOUBLE ? lowRes : lowRes.castTo(DataType.FLOAT);
            lowRes = clamp(Interpolation.resize(src, Math.toIntExact(xt.size(2)), Math.toIntExact(xt.size(3)), mode, antialias));
        }
        INDArray input = Nd4j.concat(1, xt, lowRes.castTo(xt.dataType()));
        return model.predict(input, t, Conditioning.none());
    }

    /** Whether the clamp applies (the reference's {@code min_val or max_val}). */
    boolean clamps() {
        return clamp.active();
    }

    private INDArray clamp(INDArray x) {
        return clamp.apply(x);
    }

    @Override
    public void releaseMemory() {
        model.releaseMemory();
    }
}
