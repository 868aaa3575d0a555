package org.diffusionlabs.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loss of a diffusion step and its gradient with respect to the network's outputs, for the engine:
 * {@code mse = mean((prediction − target)²)}, and for the hybrid loss (Improved DDPM)
 * {@code loss = mse + λ·mean_b(vlb_b)} with {@code vlb_b} = meanflat KL(q ‖ p) for t &gt; 0 or the discretized
 * decoder NLL of x0 for t = 0, in bits ({@link VlbLossGraph}'s formulas). The model mean enters the VLB detached
 * (it is built from the clamped x0 estimate, given here as {@code mean}), so the VLB's gradient flows only into the
 * log variance {@code v·log β + (1 − v)·log β̃} of the variance value v. Computed element by element in float64.
 */
public final class HybridLossHead {
    private HybridLossHead() {}

    /** Per-batch inputs of the VLB term (float32 arrays [b, c, h, w] unless noted). */
    public record Vlb(INDArray mean, INDArray qMean, INDArray qLogVar, INDArray x0, INDArray low,
                      INDArray high, INDArray logUpper, INDArray logLower, INDArray tZero, double lambda) {}

    /** The loss terms: total, mse and (hybrid) vlb. */
    public record Terms(double loss, double mse, double vlb) {}

    /**
     * Writes dLoss/dPrediction into {@code dPrediction} and (hybrid) dLoss/dVariance into {@code dVariance}.
     *
     * @param vlb null for the plain MSE loss; {@code logUpper}, {@code logLower} are [b, 1, 1, 1], {@code tZero} [b]
     */
    public static Terms compute(INDArray prediction, INDArray target, INDArray variance, Vlb vlb,
                                INDArray dPrediction, INDArray dVariance) {
        float[] p = floats(prediction);
        float[] y = floats(target);
        int n = p.length;
        float[] dp = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) p[i] - y[i];
            sum += d * d;
            dp[i] = (float) (2.0 * d / n);
        }
        dPrediction.assign(org.nd4j.linalg.factory.Nd4j.create(dp, dPrediction.shape(), 'c'));
        double mse = sum / n;
        if (vlb == null) {
            return new Terms(mse, mse, Double.NaN);
        }
        int b = (int) prediction.size(0);
        int per = n / b;
        float[] v = floats(variance);
        float[] mean = floats(vlb.mean());
        float[] qMean = floats(vlb.qMean());
        float[] qLogVar = floats(vlb.qLogVar());
        float[] x0 = floats(vlb.x0());
        float[] low = floats(vlb.low());
        float[] high = floats(vlb.high());
        float[] upper = floats(vlb.logUpper());
        float[] lower = floats(vlb.logLower());
        float[] tZero = floats(vlb.tZero());
        float[] dv = new float[n];
        double total = 0;
        double scale = vlb.lambda() * VlbLoss.NAT / ((double) b * per);
        for (int s = 0; s < b; s++) {
            boolean decoder = tZero[s] != 0f;
            double sampleSum = 0;
            for (int j = 0; j < per; j++) {
                int i = s * per + j;
                // the reference's float32 arithmetic (transcendentals rounded once, as RoundedMath does)
                float lv = v[i] * upper[s] + (1f - v[i]) * lower[s];
                float value;
                double dLv;
                if (decoder) {
                    double[] nll = decoderNll(x0[i], mean[i], 0.5f * lv, low[i] != 0f, high[i] != 0f);
                    value = (float) nll[0];
                    dLv = 0.5 * nll[1];
                } else {
                    float diff = qMean[i] - mean[i];
                    float e1 = (float) Math.exp(qLogVar[i] - lv);
                    float e2 = (float) Math.exp(-lv);
                    value = 0.5f * (lv + -1f - qLogVar[i] + e1 + diff * diff * e2);
                    dLv = 0.5 * (1.0 - e1 - (double) diff * diff * e2);
                }
                sampleSum += value;
                dv[i] = (float) (scale * dLv * (upper[s] - lower[s]));
            }
            total += (float) (sampleSum / per) * (float) VlbLoss.NAT;
        }
        dVariance.assign(org.nd4j.linalg.factory.Nd4j.create(dv, dVariance.shape(), 'c'));
        double vlbMean = total / b;
        return new Terms(mse + vlb.lambda() * vlbMean, mse, vlbMean);
    }

    /**
     * {−log L(x | mean, e^{logScale}), d(−log L)/d logScale} of the discretized Gaussian; {@code low}/{@code high}
     * select the edge bins (x below −0.999 / above 0.999, decided in float32 by the caller).
     */
    static double[] decoderNll(float x, float mean, float logScale, boolean low, boolean high) {
        float centered = x - mean;
        float invStd = (float) Math.exp(-logScale);
        float zp = (centered + (float) VlbLoss.BIN_HALF_WIDTH) * invStd;
        float zm = (centered - (float) VlbLoss.BIN_HALF_WIDTH) * invStd;
        float cdfPlus = cdf(zp);
        float cdfMin = cdf(zm);
        // d cdf(z)/d logScale = cdf'(z)·(−z), since z ∝ e^{−logScale}
        double dPlus = -cdfSlope(zp) * zp;
        double dMin = -cdfSlope(zm) * zm;
        float eps = (float) VlbLoss.EPS;
        double logL;
        double dLogL;
        if (low) {
            logL = Math.log(Math.max(cdfPlus, eps));
            dLogL = cdfPlus > eps ? dPlus / cdfPlus : 0;
        } else if (high) {
            float q = 1f - cdfMin;
            logL = Math.log(Math.max(q, eps));
            dLogL = q > eps ? -dMin / q : 0;
        } else {
            float delta = cdfPlus - cdfMin;
            logL = Math.log(Math.max(delta, eps));
            dLogL = delta > eps ? (dPlus - dMin) / delta : 0;
        }
        return new double[] {-(float) logL, -dLogL};
    }

    /** The tanh approximation of Φ(z) in the reference's float32 order. */
    private static float cdf(float z) {
        float inner = (z + z * z * z * (float) VlbLoss.CDF_CUBIC) * (float) VlbLoss.SQRT_2_OVER_PI;
        return ((float) Math.tanh(inner) + 1f) * 0.5f;
    }

    /** dΦ̃/dz. */
    private static double cdfSlope(double z) {
        double th = Math.tanh(VlbLoss.SQRT_2_OVER_PI * (z + VlbLoss.CDF_CUBIC * z * z * z));
        return 0.5 * (1 - th * th) * VlbLoss.SQRT_2_OVER_PI * (1 + 3 * VlbLoss.CDF_CUBIC * z * z);
    }

    private static float[] floats(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

}
