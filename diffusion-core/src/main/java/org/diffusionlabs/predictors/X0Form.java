package org.diffusionlabs.predictors;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A predictor's clean-data estimate before clamping, as the linear form x0 = a(t)·x_t − b(t)·prediction, with a and b
 * float64 per sample, shaped [b, 1, …] to broadcast over the data. Training graphs evaluate it in float32 from these
 * coefficients (fed once per step) instead of repeating each predictor's formula.
 *
 * @param xtCoef         a(t)
 * @param predictionCoef b(t)
 */
public record X0Form(INDArray xtCoef, INDArray predictionCoef) {}
