package org.diffusionlabs.losses;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Argument validation shared by the losses. The reference only constructs (never raises) its shape error; the port
 * raises {@link IllegalArgumentException} naming the parameter and both shapes.
 */
final class LossArgs {
    private LossArgs() {}

    /** Non-null floating-point tensor of rank at least 1 (a batch dimension). */
    static INDArray data(INDArray x, String owner, String name) {
        Checks.notNull(x, owner, name);
        Checks.require(x.dataType().isFPType(), owner, name, x.dataType(), "must be a floating-point tensor");
        Checks.require(x.rank() >= 1, owner, name, Arrays.toString(x.shape()), "needs a batch dimension");
        return x;
    }

    /** {@code x} must be valid data with the same shape and data type as {@code ref}. */
    static void sameAs(INDArray ref, String refName, INDArray x, String name, String owner) {
        data(x, owner, name);
        Checks.require(Arrays.equals(ref.shape(), x.shape()), owner, name, Arrays.toString(x.shape()),
                "shape must equal " + refName + " shape " + Arrays.toString(ref.shape()));
        Checks.require(ref.dataType() == x.dataType(), owner, name, x.dataType(),
                "data type must equal " + refName + " data type " + ref.dataType());
    }

    /** Timesteps: a vector {@code [b]} whose length is the batch size of {@code batchOf}. */
    static void timesteps(INDArray t, INDArray batchOf, String batchName, String owner) {
        Checks.notNull(t, owner, "t");
        long b = batchOf.size(0);
        Checks.require(t.rank() == 1 && t.length() == b, owner, "t", Arrays.toString(t.shape()),
                "must be a vector [" + b + "] (batch size of " + batchName + " " + Arrays.toString(batchOf.shape()) + ")");
    }
}
