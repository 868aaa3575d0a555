package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernels composed from ND4J ops, with temporaries: what runs where the Vector API cannot (CUDA) and the
 * cross-check of {@link VectorKernels} on CPU ({@value Kernels#PROPERTY}{@code =composed}). No Vector API use.
 */
final class ComposedKernels implements Kernels {
    private static final String OWNER = "Kernels";

    @Override
    public void groupNormForward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                 double eps, boolean silu, INDArray y, INDArray stats) {
        GroupNormShape s = GroupNormShape.of(x, gamma, beta, scale, shift, groups, stats);
        KernelArgs.shaped(y, OWNER, "y", x.shape());
        ComposedGroupNorm.forward(s, x, gamma, beta, scale, shift, eps, silu, y, stats);
    }

    @Override
    public void groupNormBackward(INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift, int groups,
                                  boolean silu, INDArray stats, INDArray dy, INDArray dx, INDArray dGamma,
                                  INDArray dBeta, INDArray dScale, INDArray dShift) {
        GroupNormShape s = GroupNormShape.of(x, gamma, beta, scale, shift, groups, stats);
        KernelArgs.groupNormGradients(s, x, scale, shift, dy, dx, dGamma, dBeta, dScale, dShift);
        ComposedGroupNorm.backward(s, x, gamma, beta, scale, shift, silu, stats, dy, dx, dGamma, dBeta, dScale, dShift);
    }

    @Override
    public void siluForward(INDArray x, INDArray y) {
        KernelArgs.contiguous(x, OWNER, "x");
        KernelArgs.shaped(y, OWNER, "y", x.shape());
        y.assign(x.mul(Transforms.sigmoid(x, true)));
    }

    @Override
    public void siluBackward(INDArray x, INDArray dy, INDArray dx) {
        KernelArgs.contiguous(x, OWNER, "x");
        KernelArgs.shaped(dy, OWNER, "dy", x.shape());
        KernelArgs.shaped(dx, OWNER, "dx", x.shape());
        INDArray sig = Transforms.sigmoid(x, true);
        INDArray slope = sig.rsub(1.0).muli(x).addi(1.0);
        dx.assign(dy.mul(sig).muli(slope));
    }

    @Override
    public void adamWEma(INDArray p, INDArray g, INDArray m, INDArray v, INDArray ema, double lr, double beta1,
                         double beta2, double eps, double weightDecay, double bc1, double bc2Sqrt, double emaDecay) {
        KernelArgs.adamW(p, g, m, v, ema);
        p.muli(1 - lr * weightDecay);
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        INDArray den = Transforms.sqrt(v, true).divi(bc2Sqrt).addi(eps);
        p.subi(m.div(den).muli(lr / bc1));
        if (ema != null) {
            ema.muli(emaDecay).addi(p.mul(1 - emaDecay));
        }
    }

    @Override
    public double sumOfSquares(INDArray x) {
        KernelArgs.contiguous(x, OWNER, "x");
        if (x.length() == 0) {
            return 0;
        }
        INDArray d = x.castTo(DataType.DOUBLE);
        return d.muli(d).sumNumber().doubleValue();
    }

    @Override
    public void dropout(INDArray x, INDArray mask, double p, INDArray y) {
        KernelArgs.dropout(x, mask, p, y);
        y.assign(x.mul(mask).muli(1 / (1 - p)));
    }
}
