package org.diffusionlabs.samplers;

import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An iterator over reverse steps: applies {@code step(x, i)} for i = 0..count−1, carrying x along. Each step runs
 * in the {@link Workspaces#SAMPLER_STEP_WS} workspace (its temporaries are reused by the next step) and the x it
 * returns is detached from it, so every array this iterator hands out lives outside workspaces.
 */
final class StepIterator implements Iterator<INDArray> {
    interface Step {
        INDArray apply(INDArray x, int index);
    }

    private final Step step;
    private final int count;
    private INDArray x;
    private int index;

    StepIterator(INDArray x0, int count, Step step) {
        this.x = x0;
        this.count = count;
        this.step = step;
    }

    @Override
    public boolean hasNext() {
        return index < count;
    }

    @Override
    public INDArray next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the sampling loop has finished after " + count + " steps");
        }
        INDArray prev = x;
        int i = index++;
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.SAMPLER_STEP_WS)) {
            x = Workspaces.detach(step.apply(prev, i));
        }
        return x;
    }
}
