package org.diffusionlabs.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained array as a module sees it: its live value and its gradient, a view into the network's flat gradient
 * buffer (so clipping, accumulation and the optimiser see one buffer).
 */
public record Slot(String name, INDArray value, INDArray grad) {}
