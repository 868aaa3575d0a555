package org.diffusionlabs.samplers;

/** Progress callback of a whole sampling loop: called after each step with the number done and the total. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = (done, total) -> { };

    void onStep(int done, int total);
}
