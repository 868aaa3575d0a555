package org.diffusionlabs.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-sample pieces of the variational bound, each a vector {@code [b]} in bits per dimension.
 *
 * @param kl       KL(q(x_{t−1} | x_t, x_0) ‖ p(x_{t−1} | x_t)) averaged over the non-batch dimensions
 * @param nll      decoder negative log-likelihood of x_0 under the discretized Gaussian p(x_0 | x_1)
 * @param selected {@code nll} where t == 0, otherwise {@code kl}: the term the loss averages
 */
public record VlbTerms(INDArray kl, INDArray nll, INDArray selected) {}
