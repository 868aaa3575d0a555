package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Inpainting (Palette; GLIDE), port of {@code diffusion_labs/modules/adapters/inpainting.py} (spec §5.2): the known
 * part of a target image and its mask are concatenated to the noisy input, so the inner model (built for
 * {@code 2·C + 1} input channels) learns to fill in the rest. Input = {@code concat([x, target·mask, mask])} on the
 * channel axis; when the conditioning lacks the target or the mask both are zeros ({@code [b, C, …]} and
 * {@code [b, 1, …]}). The inner model receives the <em>original</em> conditioning, mask and target included.
 * Mask convention (as the reference's RandomInpaintingMask): 1 = known pixel, 0 = region to generate.
 * A variance-predicting inner U-Net would need {@code 2·(2C+1)} output channels (spec §5.4).
 */
public final class Inpainting implements DenoisingModel {
    private static final String OWNER = "Inpainting";
    private final DenoisingModel model;
    private final String maskName;
    private final String targetName;

    /** The reference defaults: fields "mask" and "target". */
    public Inpainting(DenoisingModel model) {
        this(model, "mask", "target");
    }

    public Inpainting(DenoisingModel model, String maskName, String targetName) {
        this.model = Checks.notNull(model, OWNER, "model");
        Checks.require(maskName != null && !maskName.isEmpty(), OWNER, "maskName", maskName, "must be non-empty");
        Checks.require(targetName != null && !targetName.isEmpty(), OWNER, "targetName", targetName, "must be non-empty");
        this.maskName = maskName;
        this.targetName = targetName;
    }

    public DenoisingModel model() {
        return model;
    }

    @Override
    public DiffusionOutput predict(INDArray xt, INDArray t, Conditioning c) {
        Checks.notNull(xt, OWNER, "xt");
        Checks.notNull(c, OWNER, "c");
        Checks.require(xt.rank() >= 3, OWNER, "xt", xt.shape(), "must be [b, c, ...] with spatial dimensions");
        INDArray mask;
        INDArray maskedTarget;
        if (c.has(targetName) && c.has(maskName)) {
            INDArray target = c.get(targetName);
            mask = c.get(maskName);
            Checks.require(target.rank() == xt.rank(), OWNER, targetName, target.shape(),
                    "must have the rank of xt " + Arrays.toString(xt.shape()));
            Checks.require(mask.rank() == xt.rank(), OWNER, maskName, mask.shape(),
                    "must have the rank of xt " + Arrays.toString(xt.shape()));
            maskedTarget = target.mul(mask.castTo(target.dataType()));
        } else {
            long[] one = xt.shape().clone();
            one[1] = 1;
            mask = Nd4j.zeros(xt.dataType(), one);
            maskedTarget = Nd4j.zeros(xt.dataType(), xt.shape());
        }
        long[] spatial = Arrays.copyOfRange(xt.shape(), 2, xt.rank());
        long[] tSpatial = Arrays.copyOfRange(maskedTarget.shape(), 2, maskedTarget.rank());
        long[] mSpatial = Arrays.copyOfRange(mask.shape(), 2, mask.rank());
        Checks.require(maskedTarget.size(0) == xt.size(0) && Arrays.equals(tSpatial, spatial), OWNER,
                targetName + "·" + maskName, maskedTarget.shape(), "batch and spatial size must match xt " + Arrays.toString(xt.shape()));
        Checks.require(mask.size(0) == xt.size(0) && Arrays.equals(mSpatial, spatial), OWNER, maskName, mask.shape(),
                "batch and spatial size must match xt " + Arrays.toString(xt.shape()));
        INDArray input = Nd4j.concat(1, xt, maskedTarget.castTo(xt.dataType()), mask.castTo(xt.dataType()));
        return model.predict(input, t, c);
    }

    @Override
    public void releaseMemory() {
        model.releaseMemory();
    }
}
