package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.GradientBuffer;
import org.diffusionlabs.engine.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stage of the VAE on the engine. Its constructor declares its parameters (reference names, PyTorch's default
 * initialisation in the reference's construction order) in a {@code models.Parameters}; {@link #bind} then attaches
 * it to the live values and gradient views of a network's {@link GradientBuffer}. One instance per network (it keeps
 * what its backward needs).
 */
public interface VaeModule {
    /** Attaches the engine layers to the parameter values and gradients of {@code grads}. */
    void bind(GradientBuffer grads, Kernels kernels);

    /**
     * x → y (an arena array); {@code train} keeps what one {@link #backward} needs.
     *
     * @param dropout the step's dropout masks ({@link DropoutNoise#NONE} in evaluation)
     */
    INDArray forward(Arena arena, INDArray x, DropoutNoise dropout, boolean train);

    /** dy of the output → dx of the input, accumulating parameter gradients; consumes {@code dy}. */
    INDArray backward(Arena arena, INDArray dy);
}
