package org.diffusionlabs.engine.nn;

import org.diffusionlabs.engine.Arena;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stage of a network that maps one activation to the next, conditioned on shared embeddings: forward keeps what
 * its backward needs (when training), backward returns the input gradient and adds to the embeddings' gradients.
 */
public interface Block {
    /** h → next h; {@code train} keeps the state for one {@link #backward}. */
    INDArray forward(Arena arena, INDArray h, Embeddings e, boolean train);

    /** dh of the output → dh of the input; may consume (overwrite or give back) {@code dh}. */
    INDArray backward(Arena arena, INDArray dh, Embeddings e);
}
