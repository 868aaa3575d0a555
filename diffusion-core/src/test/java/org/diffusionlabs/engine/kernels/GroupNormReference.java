package org.diffusionlabs.engine.kernels;

/**
 * GroupNorm + FiLM + SiLU in plain float64 Java, written from the textbook definitions element by element (no
 * code shared with the kernels): the reference the kernels are tested against. Arrays are flat c-order
 * x [b, C, hw], γ/β [C], scale/shift [b, C] (null: none).
 */
final class GroupNormReference {
    final int b;
    final int c;
    final int groups;
    final int hw;

    GroupNormReference(int b, int c, int groups, int hw) {
        this.b = b;
        this.c = c;
        this.groups = groups;
        this.hw = hw;
    }

    /** Forward outputs: y, and per (n, g) the mean and 1/√(biased var + eps). */
    record Forward(double[] y, double[] mean, double[] rstd) {}

    /** Backward outputs. */
    record Backward(double[] dx, double[] dGamma, double[] dBeta, double[] dScale, double[] dShift) {}

    Forward forward(double[] x, double[] gamma, double[] beta, double[] scale, double[] shift, double eps,
                    boolean silu) {
        double[] mean = new double[b * groups];
        double[] rstd = new double[b * groups];
        double[] y = new double[x.length];
        int cpg = c / groups;
        for (int n = 0; n < b; n++) {
            for (int g = 0; g < groups; g++) {
                double s = 0;
                for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                    for (int i = 0; i < hw; i++) {
                        s += x[(n * c + ch) * hw + i];
                    }
                }
                double m = s / (cpg * hw);
                double v = 0;
                for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                    for (int i = 0; i < hw; i++) {
                        double d = x[(n * c + ch) * hw + i] - m;
                        v += d * d;
                    }
                }
                v /= cpg * hw;
                mean[n * groups + g] = m;
                rstd[n * groups + g] = 1 / Math.sqrt(v + eps);
            }
        }
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < c; ch++) {
                int ng = n * groups + ch / cpg;
                for (int i = 0; i < hw; i++) {
                    int k = (n * c + ch) * hw + i;
                    double z = z(x[k], mean[ng], rstd[ng], gamma, beta, scale, shift, n, ch);
                    y[k] = silu ? z * sigmoid(z) : z;
                }
            }
        }
        return new Forward(y, mean, rstd);
    }

    /** The analytic gradients for upstream gradient dy (dScale/dShift null when scale/shift are). */
    Backward backward(double[] x, double[] gamma, double[] beta, double[] scale, double[] shift, double eps,
                      boolean silu, double[] dy) {
        Forward f = forward(x, gamma, beta, scale, shift, eps, silu);
        int cpg = c / groups;
        int size = cpg * hw;
        double[] dx = new double[x.length];
        double[] dGamma = new double[c];
        double[] dBeta = new double[c];
        double[] dScale = scale == null ? null : new double[b * c];
        double[] dShift = shift == null ? null : new double[b * c];
        double[] dxHat = new double[x.length];
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < c; ch++) {
                int ng = n * groups + ch / cpg;
                double film = scale == null ? 1 : 1 + scale[n * c + ch];
                for (int i = 0; i < hw; i++) {
                    int k = (n * c + ch) * hw + i;
                    double xHat = (x[k] - f.mean()[ng]) * f.rstd()[ng];
                    double u = xHat * gamma[ch] + beta[ch];
                    double z = z(x[k], f.mean()[ng], f.rstd()[ng], gamma, beta, scale, shift, n, ch);
                    double s = sigmoid(z);
                    double dz = silu ? dy[k] * (s + z * s * (1 - s)) : dy[k];
                    if (dShift != null) {
                        dShift[n * c + ch] += dz;
                    }
                    if (dScale != null) {
                        dScale[n * c + ch] += dz * u;
                    }
                    double du = dz * film;
                    dBeta[ch] += du;
                    dGamma[ch] += du * xHat;
                    dxHat[k] = du * gamma[ch];
                }
            }
        }
        for (int n = 0; n < b; n++) {
            for (int g = 0; g < groups; g++) {
                int ng = n * groups + g;
                int start = (n * c + g * cpg) * hw;
                double m1 = 0;
                double m2 = 0;
                for (int k = start; k < start + size; k++) {
                    double xHat = (x[k] - f.mean()[ng]) * f.rstd()[ng];
                    m1 += dxHat[k];
                    m2 += dxHat[k] * xHat;
                }
                m1 /= size;
                m2 /= size;
                for (int k = start; k < start + size; k++) {
                    double xHat = (x[k] - f.mean()[ng]) * f.rstd()[ng];
                    dx[k] = f.rstd()[ng] * (dxHat[k] - m1 - xHat * m2);
                }
            }
        }
        return new Backward(dx, dGamma, dBeta, dScale, dShift);
    }

    private double z(double x, double mean, double rstd, double[] gamma, double[] beta, double[] scale,
                     double[] shift, int n, int ch) {
        double u = (x - mean) * rstd * gamma[ch] + beta[ch];
        if (scale != null) {
            u *= 1 + scale[n * c + ch];
        }
        if (shift != null) {
            u += shift[n * c + ch];
        }
        return u;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
