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

    /**
     * The inference forward over channels-last arrays ([b, H, W, C] in and out; keeps nothing). This default runs
     * {@link #forward} between two permuted copies; blocks override it to work channels-last throughout.
     */
    default INDArray forwardNhwc(Arena arena, INDArray h, Embeddings e) {
        INDArray nchw = arena.take(h.size(0), h.size(3), h.size(1), h.size(2)).assign(h.permute(0, 3, 1, 2));
        INDArray y = forward(arena, nchw, e, false);
        arena.give(nchw);
        INDArray out = arena.take(y.size(0), y.size(2), y.size(3), y.size(1)).assign(y.permute(0, 2, 3, 1));
        arena.give(y);
        return out;
    }

    /** dh of the output → dh of the input; may consume (overwrite or give back) {@code dh}. */
    INDArray backward(Arena arena, INDArray dh, Embeddings e);
}
