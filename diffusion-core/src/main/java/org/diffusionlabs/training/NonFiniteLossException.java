package org.diffusionlabs.training;

/**
 * A training step met a non-finite loss (NaN or ±∞) and updated nothing. The single-machine job stops on it; a
 * Spark partition reports its contribution as rejected and the round goes on with the others.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NonFiniteLossException(String message) {
        super(message);
    }
}
