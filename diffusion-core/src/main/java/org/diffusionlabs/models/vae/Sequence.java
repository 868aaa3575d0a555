package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Runs modules one after another (PyTorch's {@code nn.Sequential}): in evaluation each intermediate goes back to the
 * arena as soon as the next module has consumed it (the caller's input is never given back); in training they stay
 * for backward, which runs the modules in reverse.
 */
final class Sequence {
    private Sequence() {}

    static INDArray forward(List<? extends VaeModule> modules, Arena arena, INDArray x, DropoutNoise dropout,
                            boolean train) {
        INDArray h = x;
        for (VaeModule m : modules) {
            INDArray next = m.forward(arena, h, dropout, train);
            if (!train && h != x) {
                arena.give(h);
            }
            h = next;
        }
        return h;
    }

    static INDArray backward(List<? extends VaeModule> modules, Arena arena, INDArray dy) {
        INDArray d = dy;
        for (int i = modules.size() - 1; i >= 0; i--) {
            d = modules.get(i).backward(arena, d);
        }
        return d;
    }
}
