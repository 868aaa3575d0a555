package org.diffusionlabs.schedules;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Mean and log-variance of a Gaussian posterior q(x_{t-1} | x_t, x_0) or of the model's estimate of it. */
public record Posterior(INDArray mean, INDArray logVariance) {}
