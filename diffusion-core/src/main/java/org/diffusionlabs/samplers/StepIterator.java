package org.diffusionlabs.samplers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** An iterator over reverse steps: applies {@code step(x, i)} for i = 0..count−1, carrying x along. */
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
        x = step.apply(x, index++);
        return x;
    }
}
