package org.diffusionlabs.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The variational-bound terms of {@link VlbLoss} as SameDiff ops, for training graphs (same formulas and
 * constants). Branch selections whose conditions depend only on data (x0 at the ±0.999 edges, t == 0) arrive as
 * 0/1 masks computed outside the graph; every branch is finite (probabilities are clamped at 1e-12), so the masked
 * sum equals the reference's {@code where}.
 */
public final class VlbLossGraph {
    private VlbLossGraph() {}

    /** 0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static SDVariable approxStandardNormalCdf(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(VlbLoss.CDF_CUBIC)).mul(VlbLoss.SQRT_2_OVER_PI);
        return sd.math().tanh(inner).add(1.0).mul(0.5);
    }

    /** Elementwise KL(N(m1, e^lv1) ‖ N(m2, e^lv2)) in nats. */
    public static SDVariable normalKl(SameDiff sd, SDVariable m1, SDVariable lv1, SDVariable m2, SDVariable lv2) {
        SDVariable diff = m1.sub(m2);
        return lv2.sub(lv1).add(sd.math().exp(lv1.sub(lv2))).add(diff.mul(diff).mul(sd.math().exp(lv2.neg())))
                .sub(1.0).mul(0.5);
    }

    /**
     * Discretized-Gaussian log-likelihood of x under N(mean, e^{2·logScale}).
     *
     * @param low  1 where x &lt; −0.999 (left edge bin), else 0
     * @param high 1 where x &gt; 0.999 (right edge bin), else 0
     */
    public static SDVariable discretizedGaussianLogLikelihood(SameDiff sd, SDVariable x, SDVariable mean,
                                                             SDVariable logScale, SDVariable low, SDVariable high) {
        SDVariable centered = x.sub(mean);
        SDVariable invStd = sd.math().exp(logScale.neg());
        SDVariable cdfPlus = approxStandardNormalCdf(sd, centered.add(VlbLoss.BIN_HALF_WIDTH).mul(invStd));
        SDVariable cdfMin = approxStandardNormalCdf(sd, centered.sub(VlbLoss.BIN_HALF_WIDTH).mul(invStd));
        SDVariable logCdfPlus = clampedLog(sd, cdfPlus);
        SDVariable logOneMinusCdfMin = clampedLog(sd, cdfMin.rsub(1.0));
        SDVariable logCdfDelta = clampedLog(sd, cdfPlus.sub(cdfMin));
        SDVariable middle = low.add(high).rsub(1.0);
        return low.mul(logCdfPlus).add(high.mul(logOneMinusCdfMin)).add(middle.mul(logCdfDelta));
    }

    /**
     * Per-sample VLB in bits: meanflat KL(q ‖ p) for t &gt; 0, meanflat decoder NLL of x0 for t == 0.
     *
     * @param tZero [b] 1 where t == 0
     */
    public static SDVariable perSample(SameDiff sd, SDVariable qMean, SDVariable qLogVar, SDVariable predMean,
                                       SDVariable predLogVar, SDVariable x0, SDVariable low, SDVariable high,
                                       SDVariable tZero) {
        SDVariable kl = meanFlat(normalKl(sd, qMean, qLogVar, predMean, predLogVar)).mul(VlbLoss.NAT);
        SDVariable nll = meanFlat(discretizedGaussianLogLikelihood(sd, x0, predMean, predLogVar.mul(0.5), low, high).neg())
                .mul(VlbLoss.NAT);
        return tZero.mul(nll).add(tZero.rsub(1.0).mul(kl));
    }

    private static SDVariable meanFlat(SDVariable x) {
        return x.mean(1, 2, 3);
    }

    private static SDVariable clampedLog(SameDiff sd, SDVariable p) {
        return sd.math().log(sd.math().max(p, sd.constant(VlbLoss.EPS).castTo(p.dataType())));
    }
}
