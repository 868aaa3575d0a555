package org.diffusionlabs.recipes;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.Optimizer;
import org.diffusionlabs.training.Sgd;

import java.io.Serializable;
import java.util.Locale;

/**
 * The optimiser of a run: AdamW with its betas, ε and decoupled weight decay, or plain SGD (which ignores them), and
 * the global gradient-norm clip applied before either (0 disables).
 */
public record OptimizerSpec(Kind kind, double beta1, double beta2, double eps, double weightDecay, double clipNorm)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The update rule. */
    public enum Kind {
        ADAMW, SGD;

        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("optimizer parameter kind given invalid value " + s + ": must be adamw or sgd");
            }
        }
    }

    public OptimizerSpec {
        Checks.notNull(kind, "OptimizerSpec", "kind");
        Checks.require(clipNorm >= 0 && Double.isFinite(clipNorm), "OptimizerSpec", "clipNorm", clipNorm, "must be finite and >= 0");
        if (kind == Kind.ADAMW) {
            new AdamW(beta1, beta2, eps, weightDecay); // validates
        }
    }

    /** AdamW with PyTorch's defaults and no clipping. */
    public static OptimizerSpec adamW() {
        return new OptimizerSpec(Kind.ADAMW, 0.9, 0.999, 1e-8, 0.01, 0);
    }

    /** Plain SGD, no clipping. */
    public static OptimizerSpec sgd() {
        return new OptimizerSpec(Kind.SGD, 0, 0, 0, 0, 0);
    }

    /** A fresh optimiser (no state, step 0). */
    public Optimizer create() {
        return kind == Kind.SGD ? new Sgd() : new AdamW(beta1, beta2, eps, weightDecay);
    }
}
