package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.diffusionlabs.models.adm.AdmBlocksReferenceTest.assertSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Port of the reference's {@code test_adm_crossattention.py} (seed 4, embed 32, cond 48, 2 heads, 2×2 positions,
 * x [1, heads, 2, 2, 16], c = ones(1, 4, 48)); the reference numbers apply directly (no dropout), atol 1e-4.
 */
class AdmCrossAttentionReferenceTest {
    static final INDArray C = Nd4j.ones(DataType.FLOAT, 1, 4, 48);

    /** RNG order: the kernel (cond_proj Linear(48, 64)) → x. */
    @Test
    void crossAttentionForward() {
        Rng rng = new Rng(4);
        SameDiff sd = SameDiff.create();
        Parameters p = new Parameters(rng);
        AdmCrossAttention attn = new AdmCrossAttention(32, 48);
        attn.declare(sd, p, ""); // draws cond_proj before x; build() below reuses the graph's variables
        INDArray x = rng.randn(1, 2, 2, 2, 16);
        SDVariable xv = sd.constant("x", x);
        SDVariable out = attn.build(sd, p, "", xv, xv, xv, sd.constant("c", C));
        INDArray y = sd.output(Map.of(), out.name()).get(out.name());
        assertArrayEquals(x.shape(), y.shape());
        assertSum(-18.1184, y);
    }

    @Test
    void crossAttentionRejectsHeadsThatDoNotGiveDimQkv() {
        INDArray x = new Rng(4).randn(1, 2, 2, 2, 16);
        INDArray threeHeads = Nd4j.concat(1, x, x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> selfAttention(threeHeads));
    }

    @Test
    void crossAttentionRejectsWrongEmbeddingDim() {
        INDArray x = new Rng(4).randn(1, 2, 2, 2, 16);
        INDArray short15 = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 15)).dup();
        assertThrows(IllegalArgumentException.class, () -> selfAttention(short15));
    }

    private static void selfAttention(INDArray x) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.constant("x", x);
        new AdmCrossAttention(32, 48).build(sd, new Parameters(new Rng(4)), "", xv, xv, xv, null);
    }

    /**
     * {@code adm_attention(32, 48, num_heads=2)} on x permuted to [1, 2, 2, 16, 2] and flattened to [1, 2, 2, 32]
     * (channel index = d·2 + head). RNG order: x → cond_proj, q, k, v, out.
     */
    @Test
    void multiHeadAttentionForward() {
        Rng rng = new Rng(4);
        INDArray x = rng.randn(1, 2, 2, 2, 16).permute(0, 2, 3, 4, 1).dup('c').reshape(1, 2, 2, 32);
        SameDiff sd = SameDiff.create();
        SDVariable out = new AdmMultiHeadAttention(32, 48, 2).build(sd, new Parameters(rng), "",
                sd.constant("x", x), sd.constant("c", C));
        INDArray y = sd.output(Map.of(), out.name()).get(out.name());
        assertArrayEquals(new long[] {1, 2, 2, 32}, y.shape());
        assertSum(3.6252, y);
    }

    @Test
    void multiHeadAttentionRejectsIndivisibleHeads() {
        assertThrows(IllegalArgumentException.class, () -> new AdmMultiHeadAttention(32, 48, 3));
    }
}
