package org.diffusionlabs.schedules;

import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A diffusion process over discrete steps: how much noise each step adds (the reference's
 * {@code DiffusionSchedule}). Implementations are immutable and thread-safe; randomness comes from the caller's
 * {@link Rng}.
 */
public interface Schedule {
    /** Number of diffusion steps T. */
    int steps();

    /** Standard normal noise shaped and typed like {@code like}. */
    INDArray sampleNoise(INDArray like, Rng rng);

    /** Uniform timesteps in [0, T) for each of the {@code like.size(0)} samples, int32 {@code [b]}. */
    INDArray sampleSteps(INDArray like, Rng rng);

    /** Forward process sample x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·noise, typed like x0. */
    INDArray qSample(INDArray x0, INDArray noise, INDArray t);

    /** Coefficient {@code c} gathered at t as float64 {@code [b, 1, ..., 1]} of rank {@code rank}. */
    INDArray coefficient(Coefficient c, INDArray t, int rank);
}
