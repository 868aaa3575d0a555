package org.diffusionlabs.engine;

import org.diffusionlabs.engine.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A plain-Java float64 implementation of {@link Kernels}, written straight from the formulas: the test oracle the
 * engine's modules are checked with independently of the production kernels.
 */
public final class ScalarKernels implements Kernels {
    private static double[] v(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    @Override
    public void groupNormForward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                 double eps, boolean silu, INDArray y, INDArray stats) {
        int b = (int) x.size(0), c = (int) x.size(1), hw = (int) (x.length() / b / c), cg = c / groups;
        double[] xs = v(x), g = v(gamma), be = v(beta);
        double[] sc = scale == null ? null : v(scale), sh = shift == null ? null : v(shift);
        double[] out = new double[xs.length];
        double[] st = new double[b * groups * 2];
        for (int n = 0; n < b; n++) {
            for (int gi = 0; gi < groups; gi++) {
                int from = (n * c + gi * cg) * hw, len = cg * hw;
                double mean = 0, var = 0;
                for (int i = 0; i < len; i++) mean += xs[from + i];
                mean /= len;
                for (int i = 0; i < len; i++) var += (xs[from + i] - mean) * (xs[from + i] - mean);
                double rstd = 1 / Math.sqrt(var / len + eps);
                st[(n * groups + gi) * 2] = mean;
                st[(n * groups + gi) * 2 + 1] = rstd;
                for (int ch = gi * cg; ch < (gi + 1) * cg; ch++) {
                    for (int p = 0; p < hw; p++) {
                        int i = (n * c + ch) * hw + p;
                        double z = (xs[i] - mean) * rstd * g[ch] + be[ch];
                        if (sc != null) z = z * (1 + sc[n * c + ch]) + (sh == null ? 0 : sh[n * c + ch]);
                        out[i] = silu ? z / (1 + Math.exp(-z)) : z;
                    }
                }
            }
        }
        y.assign(Nd4j.create(out, y.shape(), 'c'));
        stats.assign(Nd4j.create(st, stats.shape(), 'c'));
    }

    @Override
    public void groupNormBackward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                  boolean silu, INDArray stats, INDArray dy, INDArray dx, INDArray dGamma, INDArray dBeta,
                                  INDArray dScale, INDArray dShift) {
        int b = (int) x.size(0), c = (int) x.size(1), hw = (int) (x.length() / b / c), cg = c / groups;
        double[] xs = v(x), g = v(gamma), be = v(beta), dys = v(dy);
        double[] sc = scale == null ? null : v(scale), sh = shift == null ? null : v(shift);
        double[] st = v(stats);
        double[] out = new double[xs.length], dg = new double[c], db = new double[c];
        double[] ds = new double[b * c], dsh = new double[b * c];
        for (int n = 0; n < b; n++) {
            for (int gi = 0; gi < groups; gi++) {
                double mean = st[(n * groups + gi) * 2], rstd = st[(n * groups + gi) * 2 + 1];
                int len = cg * hw;
                double[] dxhat = new double[len], xhat = new double[len];
                double sumD = 0, sumDX = 0;
                for (int k = 0; k < len; k++) {
                    int ch = gi * cg + k / hw;
                    int i = (n * c + gi * cg) * hw + k;
                    double xh = (xs[i] - mean) * rstd;
                    double a = xh * g[ch] + be[ch];
                    double z = sc == null ? a : a * (1 + sc[n * c + ch]) + (sh == null ? 0 : sh[n * c + ch]);
                    double dz = dys[i];
                    if (silu) {
                        double s = 1 / (1 + Math.exp(-z));
                        dz *= s * (1 + z * (1 - s));
                    }
                    double da = sc == null ? dz : dz * (1 + sc[n * c + ch]);
                    if (sc != null) ds[n * c + ch] += dz * a;
                    if (sh != null) dsh[n * c + ch] += dz;
                    dg[ch] += da * xh;
                    db[ch] += da;
                    xhat[k] = xh;
                    dxhat[k] = da * g[ch];
                    sumD += dxhat[k];
                    sumDX += dxhat[k] * xh;
                }
                for (int k = 0; k < len; k++) {
                    out[(n * c + gi * cg) * hw + k] = rstd * (dxhat[k] - sumD / len - xhat[k] * sumDX / len);
                }
            }
        }
        dx.assign(Nd4j.create(out, dx.shape(), 'c'));
        dGamma.addi(Nd4j.create(dg, dGamma.shape(), 'c').castTo(dGamma.dataType()));
        dBeta.addi(Nd4j.create(db, dBeta.shape(), 'c').castTo(dBeta.dataType()));
        if (dScale != null) dScale.assign(Nd4j.create(ds, dScale.shape(), 'c'));
        if (dShift != null) dShift.assign(Nd4j.create(dsh, dShift.shape(), 'c'));
    }

    @Override
    public void siluForward(INDArray x, INDArray y) {
        double[] v = v(x);
        for (int i = 0; i < v.length; i++) v[i] = v[i] / (1 + Math.exp(-v[i]));
        y.assign(Nd4j.create(v, y.shape(), 'c'));
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        double[] v = v(x), d = v(dy);
        for (int i = 0; i < v.length; i++) {
            double s = 1 / (1 + Math.exp(-v[i]));
            d[i] *= s * (1 + v[i] * (1 - s));
        }
        dx.assign(Nd4j.create(d, dx.shape(), 'c'));
    }

    @Override
    public void adamWEma(INDArray p, INDArray g, INDArray m, INDArray v, INDArray ema, double lr, double beta1,
                         double beta2, double eps, double weightDecay, double bc1, double bc2Sqrt, double emaDecay) {
        throw new UnsupportedOperationException("not needed by the module tests");
    }

    @Override
    public double sumOfSquares(INDArray x) {
        double s = 0;
        for (double d : v(x)) s += d * d;
        return s;
    }

    @Override
    public void dropout(INDArray x, INDArray mask, double p, INDArray y) {
        y.assign(x.mul(mask).muli(1.0 / (1.0 - p)));
    }
}
