package org.diffusionlabs.predictors;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Shared float64 helpers of the predictors: a·u − b·w with per-sample coefficients, and input checks. */
final class PredictorMath {
    private PredictorMath() {}

    /** coef(a)·u − coef(b)·w in float64 (the reference's promotion when float32 meets float64 coefficients). */
    static INDArray combine(Schedule s, Coefficient a, INDArray u, Coefficient b, INDArray w, INDArray t) {
        int r = u.rank();
        INDArray left = u.castTo(DataType.DOUBLE).muli(s.coefficient(a, t, r));
        return left.subi(w.castTo(DataType.DOUBLE).muli(s.coefficient(b, t, r)));
    }

    /** ε = (sqrt(1/ᾱ_t)·x_t − x0) / sqrt(1/ᾱ_t − 1), typed like x_t. */
    static INDArray noiseFromX0(Schedule s, INDArray x0, INDArray xt, INDArray t) {
        int r = xt.rank();
        INDArray e = xt.castTo(DataType.DOUBLE).muli(s.coefficient(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD, t, r))
                .subi(x0.castTo(DataType.DOUBLE));
        return e.divi(s.coefficient(Coefficient.SQRT_RECIP_ALPHAS_CUMPROD_MINUS_ONE, t, r)).castTo(xt.dataType());
    }

    static void checkShapes(String owner, INDArray prediction, INDArray xt) {
        Checks.notNull(prediction, owner, "prediction");
        Checks.notNull(xt, owner, "xt");
        Checks.require(Arrays.equals(prediction.shape(), xt.shape()), owner, "prediction", Arrays.toString(prediction.shape()),
                "must have the shape of xt " + Arrays.toString(xt.shape()));
    }
}
