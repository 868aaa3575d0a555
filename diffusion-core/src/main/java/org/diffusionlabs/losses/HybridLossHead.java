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
                double lv = (double) v[i] * upper[s] + (1.0 - v[i]) * lower[s];
                double value;
                double dLv;
                if (decoder) {
                    double[] nll = decoderNll(x0[i], mean[i], 0.5 * lv, low[i] != 0f, high[i] != 0f);
                    value = nll[0];
                    dLv = 0.5 * nll[1];
                } else {
                    double diff = (double) qMean[i] - mean[i];
                    double e1 = Math.exp(qLogVar[i] - lv);
                    double e2 = Math.exp(-lv);
                    value = 0.5 * (lv - qLogVar[i] + e1 + diff * diff * e2 - 1.0);
                    dLv = 0.5 * (1.0 - e1 - diff * diff * e2);
                }
                sampleSum += value;
                dv[i] = (float) (scale * dLv * (upper[s] - lower[s]));
            }
            total += sampleSum / per * VlbLoss.NAT;
        }
        dVariance.assign(org.nd4j.linalg.factory.Nd4j.create(dv, dVariance.shape(), 'c'));
        double vlbMean = total / b;
        return new Terms(mse + vlb.lambda() * vlbMean, mse, vlbMean);
    }

    /**
     * {−log L(x | mean, e^{logScale}), d(−log L)/d logScale} of the discretized Gaussian; {@code low}/{@code high}
     * select the edge bins (x below −0.999 / above 0.999, decided in float32 by the caller).
     */
    static double[] decoderNll(double x, double mean, double logScale, boolean low, boolean high) {
        double invStd = Math.exp(-logScale);
        double c = x - mean;
        double zp = (c + VlbLoss.BIN_HALF_WIDTH) * invStd;
        double zm = (c - VlbLoss.BIN_HALF_WIDTH) * invStd;
        double[] fp = cdf(zp);
        double[] fm = cdf(zm);
        // dz/dlogScale = −z
        double dCdfPlus = -fp[1] * zp;
        double dCdfMin = -fm[1] * zm;
        double logL;
        double dLogL;
        if (low) {
            logL = Math.log(Math.max(fp[0], VlbLoss.EPS));
            dLogL = fp[0] > VlbLoss.EPS ? dCdfPlus / fp[0] : 0;
        } else if (high) {
            double q = 1.0 - fm[0];
            logL = Math.log(Math.max(q, VlbLoss.EPS));
            dLogL = q > VlbLoss.EPS ? -dCdfMin / q : 0;
        } else {
            double delta = fp[0] - fm[0];
            logL = Math.log(Math.max(delta, VlbLoss.EPS));
            dLogL = delta > VlbLoss.EPS ? (dCdfPlus - dCdfMin) / delta : 0;
        }
        return new double[] {-logL, -dLogL};
    }

    private static float[] floats(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

    /** The tanh approximation of Φ(z) and its derivative. */
    private static double[] cdf(double z) {
        double u = VlbLoss.SQRT_2_OVER_PI * (z + VlbLoss.CDF_CUBIC * z * z * z);
        double th = Math.tanh(u);
        double du = VlbLoss.SQRT_2_OVER_PI * (1 + 3 * VlbLoss.CDF_CUBIC * z * z);
        return new double[] {0.5 * (1 + th), 0.5 * (1 - th * th) * du};
    }
}
