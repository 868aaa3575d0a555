package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.diffusionlabs.models.adm.AdmBlocksReferenceTest.assertSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Port of the reference's {@code test_adm.py} (seed 4, in 3, 4×4, embed 6). The tests built on dummy modules
 * swapped into the U-Net ({@code test_get_conditional_projections}, {@code test_forward},
 * {@code test_cond_proj_incorrect_embed_dim}) have no counterpart: our U-Net has no pluggable timestep encoder or
 * projection modules and its stacks are not replaceable.
 */
class AdmUNetReferenceTest {
    /** channels [32, 32], num_resize 1, num_res 2, attention [T, T], dim_res_cond = dim_attn_cond = 6, no encoders. */
    static AdmUNetConfig config(boolean[] attention, int numResize, boolean predictVariance, int out) {
        return new AdmUNetConfig(new int[] {32, 32}, numResize, 2, attention, 6, 6, 0, null, 3, out, 0,
                predictVariance, 0.1);
    }

    /**
     * test_unet_forward: RNG order x (48 normals), t (6, scalar path), c (18) → the U-Net; the conditional
     * projections are bypassed (e_res = t, e_attn = c: 3 tokens); eval mode. Expected 1.0438, atol 1e-4.
     */
    @Test
    void unetForward() {
        Rng rng = new Rng(4);
        INDArray x = rng.randn(1, 3, 4, 4);
        INDArray t = rng.randn(1, 6);
        INDArray c = rng.randn(1, 3, 6);
        AdmUNet unet = AdmUNet.create(config(new boolean[] {true, true}, 1, false, 3), rng);
        SameDiff sd = SameDiff.create();
        AdmUNet.Outputs o = unet.buildFromEmbeddings(sd, sd.constant("x", x), sd.constant("e_res", t),
                sd.constant("e_attn", c), 0);
        INDArray y = sd.output(Map.of(), o.prediction().name()).get(o.prediction().name());
        assertArrayEquals(x.shape(), y.shape());
        assertSum(1.0438, y);
        assertEquals(389_091L, unet.parameters().count());
    }

    @Test
    void lessAttentionFlagsThanChannelsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> config(new boolean[] {true}, 1, false, 3));
    }

    @Test
    void moreResizesThanLayersIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> config(new boolean[] {true, true}, 3, false, 3));
    }

    /** The reference raises at forward time; ours already at construction. */
    @Test
    void varianceHeadNeedsTwiceTheInputChannels() {
        assertThrows(IllegalArgumentException.class, () -> config(new boolean[] {true, true}, 1, true, 3));
    }

    /**
     * TestADMStack.test_forward in eval mode: RNG order stack [ADMResBlock(3, 3, 6, norm_groups=3),
     * ADMAttentionBlock(3, 6, norm_groups=3), Identity] → x, t, c. Derived eval value −11.000788 (the reference's
     * −11.8541 embeds a training-mode dropout mask).
     */
    @Test
    void stackForward() {
        Rng rng = new Rng(4);
        Parameters p = new Parameters(rng);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", DataType.FLOAT, -1, 3, -1, -1);
        SDVariable tv = sd.placeHolder("t", DataType.FLOAT, -1, 6);
        SDVariable cv = sd.placeHolder("c", DataType.FLOAT, -1, -1, 6);
        SDVariable h = new AdmResBlock(3, 3, 6, Resample.NONE, false, true, false, 3, 1e-5)
                .build(sd, p, "_module_list.0", xv, tv, 0);
        h = new AdmAttentionBlock(3, 6, 1, false, 3).build(sd, p, "_module_list.1", h, cv);
        h = sd.identity("out", h);
        INDArray x = rng.randn(1, 3, 4, 4);
        INDArray t = rng.randn(1, 6);
        INDArray c = rng.randn(1, 3, 6);
        INDArray y = sd.output(Map.of("x", x, "t", t, "c", c), "out").get("out");
        assertArrayEquals(x.shape(), y.shape());
        assertSum(-11.000788, y);
    }
}
