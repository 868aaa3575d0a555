package org.diffusionlabs.metrics;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Fréchet distance between Gaussians fitted to two feature sets (FID's formula):
 * ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½), with unbiased covariances. The trace of the matrix square root is
 * computed as Σ √λᵢ over the eigenvalues of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (same spectrum as Σ₁Σ₂), in
 * float64, so no non-symmetric square root is needed.
 */
public final class FrechetDistance {
    private static final String OWNER = "FrechetDistance";

    private FrechetDistance() {}

    /** Distance between the rows of {@code a} [n, d] and of {@code b} [m, d] (n, m ≥ 2). */
    public static double between(INDArray a, INDArray b) {
        Checks.notNull(a, OWNER, "a");
        Checks.notNull(b, OWNER, "b");
        Checks.require(a.rank() == 2 && a.size(0) >= 2, OWNER, "a.shape", a.shape(), "must be [n >= 2, d]");
        Checks.require(b.rank() == 2 && b.size(0) >= 2 && b.size(1) == a.size(1), OWNER, "b.shape", b.shape(),
                "must be [m >= 2, " + a.size(1) + "]");
        INDArray x = a.castTo(DataType.DOUBLE);
        INDArray y = b.castTo(DataType.DOUBLE);
        INDArray mu1 = x.mean(0);
        INDArray mu2 = y.mean(0);
        INDArray s1 = covariance(x, mu1);
        INDArray s2 = covariance(y, mu2);
        double meanTerm = mu1.sub(mu2).norm2Number().doubleValue();
        meanTerm *= meanTerm;
        INDArray root1 = sqrtPsd(s1);
        INDArray m = root1.mmul(s2).mmul(root1);
        m = m.add(m.transpose()).muli(0.5);
        INDArray mu = Eigen.symmetricGeneralizedEigenvalues(m.dup(), false);
        double traceRoot = Transforms.sqrt(Transforms.relu(mu), false).sumNumber().doubleValue();
        return meanTerm + trace(s1) + trace(s2) - 2 * traceRoot;
    }

    /** Sum of the diagonal of a square matrix. */
    static double trace(INDArray m) {
        return Nd4j.diag(m).sumNumber().doubleValue();
    }

    /** Unbiased covariance of the rows of x given their mean. */
    static INDArray covariance(INDArray x, INDArray mean) {
        INDArray c = x.subRowVector(mean);
        return c.transpose().mmul(c).divi(x.size(0) - 1);
    }

    /** V·diag(√max(λ, 0))·Vᵀ of a symmetric matrix. */
    static INDArray sqrtPsd(INDArray s) {
        INDArray v = s.add(s.transpose()).muli(0.5).dup('f');
        INDArray lambda = Eigen.symmetricGeneralizedEigenvalues(v, true);
        INDArray roots = Transforms.sqrt(Transforms.relu(lambda), false);
        return v.mulRowVector(roots).mmul(v.transpose());
    }
}
