package org.diffusionlabs.models.adm;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sinusoidal timestep embedding (Vaswani et al. 2017, as in torchmultimodal's {@code SinusoidalPositionEmbeddings}):
 * for t [b] and half = dim/2, [sin(t·f_k), cos(t·f_k)] with f_k = exp(−k·ln(10000)/(half − 1)) in float32; raw
 * timesteps (0..T−1), a zero column when dim is odd (width 1 is that column alone). The frequencies are computed in
 * Java exactly as PyTorch does (float32 products, correctly rounded exp) and enter the graph as a constant.
 */
public final class TimestepEmbedding {
    private TimestepEmbedding() {}

    public static SDVariable build(SameDiff sd, SDVariable t, int dim) {
        int half = dim / 2;
        if (half == 0) {
            // width 1: no frequency at all, only the zero column of an odd width
            return sd.zerosLike(sd.reshape(t, -1, 1));
        }
        float c = (float) (Math.log(10000) / (half - 1));
        float[] freq = new float[half];
        for (int k = 0; k < half; k++) {
            freq[k] = (float) Math.exp((float) k * -c);
        }
        SDVariable arg = sd.reshape(t, -1, 1).mul(sd.constant(Nd4j.create(freq, new long[] {1, half}, 'c')));
        SDVariable emb = sd.concat(1, sd.math().sin(arg), sd.math().cos(arg));
        if (dim % 2 == 1) {
            emb = sd.concat(1, emb, sd.zerosLike(arg).get(org.nd4j.autodiff.samediff.SDIndex.all(),
                    org.nd4j.autodiff.samediff.SDIndex.interval(0, 1)));
        }
        return emb;
    }
}
