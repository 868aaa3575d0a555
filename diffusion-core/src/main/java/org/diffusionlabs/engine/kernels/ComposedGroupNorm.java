package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GroupNorm + FiLM + SiLU forward and backward composed from ND4J ops: reductions over the [b, G, (C/G)·H·W]
 * and [b, C, H·W] reshapes (views of the contiguous arrays) and explicit {@link Broadcast} ops, the maths of the
 * vector kernels for backends where those cannot run. The work happens in place in the outputs (y; dx, which
 * may alias dy) plus a few x-sized temporaries.
 */
final class ComposedGroupNorm {
    private ComposedGroupNorm() {}

    static void forward(GroupNormShape s, INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift,
                        double eps, boolean silu, INDArray y, INDArray stats) {
        long b = s.batch();
        long g = s.groups();
        INDArray xr = x.reshape('c', b, g, s.groupSize());
        INDArray mean = xr.mean(2);
        INDArray rstd = Transforms.sqrt(xr.var(false, 2).addi(eps), false).rdivi(1.0);
        stats.assign(Nd4j.concat(2, mean.reshape(b, g, 1), rstd.reshape(b, g, 1)));
        INDArray yr = y.reshape('c', b, g, s.groupSize());
        Broadcast.sub(xr, mean, yr, 0, 1);
        Broadcast.mul(yr, rstd, yr, 0, 1);
        INDArray z = affine(s, y.reshape('c', b, s.channels(), s.hw()), gamma, beta);
        film(s, z, scale, shift);
        if (silu) {
            z.muli(Transforms.sigmoid(z, true));
        }
    }

    static void backward(GroupNormShape s, INDArray x, INDArray gamma, INDArray beta, INDArray scale, INDArray shift,
                         boolean silu, INDArray stats, INDArray dy, INDArray dx, INDArray dGamma, INDArray dBeta,
                         INDArray dScale, INDArray dShift) {
        long b = s.batch();
        long g = s.groups();
        long c = s.channels();
        INDArray st = stats.dup('c');
        INDArray mean = st.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).dup('c');
        INDArray rstd = st.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).dup('c');
        INDArray xr = x.reshape('c', b, g, s.groupSize());
        INDArray xHat = Broadcast.sub(xr, mean, xr.ulike(), 0, 1);
        Broadcast.mul(xHat, rstd, xHat, 0, 1);
        INDArray xHat3 = xHat.reshape('c', b, c, s.hw());
        INDArray u = affine(s, xHat3.dup('c'), gamma, beta);
        INDArray dz = dx.reshape('c', b, c, s.hw());
        dz.assign(dy.reshape('c', b, c, s.hw()));
        if (silu) {
            INDArray z = film(s, u.dup('c'), scale, shift);
            INDArray sig = Transforms.sigmoid(z, true);
            dz.muli(sig);
            z.subi(sig.muli(z)).addi(1.0); // 1 + z·(1 − σ)
            dz.muli(z);
        }
        if (dShift != null) {
            dShift.assign(dz.sum(2).reshape(b, c));
        }
        if (dScale != null) {
            dScale.assign(u.muli(dz).sum(2).reshape(b, c));
        }
        if (scale != null) {
            Broadcast.mul(dz, scale.reshape(b, c).add(1.0), dz, 0, 1); // du
        }
        dBeta.addi(dz.sum(0, 2).reshape(dBeta.shape()));
        dGamma.addi(u.assign(dz).muli(xHat3).sum(0, 2).reshape(dGamma.shape()));
        Broadcast.mul(dz, gamma.reshape(c), dz, 1); // dx̂
        INDArray dxHat = dx.reshape('c', b, g, s.groupSize());
        INDArray meanDxHat = dxHat.mean(2);
        INDArray meanDxHatXHat = u.reshape('c', b, g, s.groupSize()).assign(dxHat).muli(xHat).mean(2);
        Broadcast.sub(dxHat, meanDxHat, dxHat, 0, 1);
        dxHat.subi(Broadcast.mul(xHat, meanDxHatXHat, xHat, 0, 1));
        Broadcast.mul(dxHat, rstd, dxHat, 0, 1);
    }

    /** u = x̂·γ + β in place on {@code xHat3} [b, C, H·W]. */
    private static INDArray affine(GroupNormShape s, INDArray xHat3, INDArray gamma, INDArray beta) {
        long c = s.channels();
        Broadcast.mul(xHat3, gamma.reshape(c), xHat3, 1);
        return Broadcast.add(xHat3, beta.reshape(c), xHat3, 1);
    }

    /** z = u·(1 + scale) + shift in place on {@code u} [b, C, H·W] (unchanged without FiLM). */
    private static INDArray film(GroupNormShape s, INDArray u, INDArray scale, INDArray shift) {
        if (scale == null) {
            return u;
        }
        long b = s.batch();
        long c = s.channels();
        Broadcast.mul(u, scale.reshape(b, c).add(1.0), u, 0, 1);
        return shift == null ? u : Broadcast.add(u, shift.reshape(b, c), u, 0, 1);
    }
}
