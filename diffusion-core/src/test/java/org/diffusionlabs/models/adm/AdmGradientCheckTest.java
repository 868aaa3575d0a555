package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 central-difference gradient checks of the ADM blocks at tiny sizes (batch 2, 8 channels, 4×4, GroupNorm
 * with 2–4 groups), on every parameter and input variable, up to 6 random entries each (see {@link GradientCheck}
 * for the tolerances). Inputs are VARIABLEs (placeholders behind a reshape get no gradient in SameDiff M2.1).
 */
class AdmGradientCheckTest {
    static final int PER_VARIABLE = 6;

    static void assertPasses(GradientCheck.Result r, String what) {
        assertTrue(r.passed(), what + ": " + r);
        assertTrue(r.maxAbsGradient() > 1e-3, what + " checked only vanishing gradients: " + r);
    }

    static GradientCheck.Result checkResBlock(AdmResBlock block, java.util.function.Consumer<java.util.Map<String, INDArray>> corrupt) {
        Rng rng = new Rng(11);
        INDArray x = rng.randn(2, block.in(), 4, 4);
        INDArray e = rng.randn(2, block.dimCond());
        Parameters p = new Parameters(rng);
        return GradientCheck.run(p, (sd, type) -> new SDVariable[] {
                block.build(sd, p, "block", sd.var("x", x.castTo(type)), sd.var("e", e.castTo(type)), 0)},
                PER_VARIABLE, 0, 13, corrupt);
    }

    @ParameterizedTest(name = "{0} {1}->{2} scaleShift={3} rescale={4} groups={5}")
    @CsvSource({
            "NONE, 8, 8, true, false, 2",
            "NONE, 8, 8, false, true, 4",
            "UP, 8, 8, true, false, 4",
            "DOWN, 8, 8, false, false, 2",
            "NONE, 8, 12, true, false, 4",
            "UP, 8, 12, false, true, 2",
            "DOWN, 8, 16, true, true, 4"})
    void resBlock(Resample resample, long in, long out, boolean scaleShift, boolean rescale, int groups) {
        AdmResBlock block = new AdmResBlock(in, out, 5, resample, in != out, scaleShift, rescale, groups, 1e-5);
        assertPasses(checkResBlock(block, null), block.toString());
    }

    @ParameterizedTest(name = "heads={0} context={1} rescale={2}")
    @CsvSource({"1, false, false", "1, true, false", "2, false, true", "2, true, false"})
    void attentionBlock(int heads, boolean context, boolean rescale) {
        Rng rng = new Rng(21);
        INDArray x = rng.randn(2, 8, 4, 4);
        INDArray c = context ? rng.randn(2, 3, 6) : null;
        AdmAttentionBlock block = new AdmAttentionBlock(8, context ? 6 : 0, heads, rescale, 2);
        Parameters p = new Parameters(rng);
        GradientCheck.Result r = GradientCheck.run(p, (sd, type) -> new SDVariable[] {block.build(sd, p, "block",
                sd.var("x", x.castTo(type)), c == null ? null : sd.var("c", c.castTo(type)))}, PER_VARIABLE, 0, 23, null);
        assertPasses(r, block.toString());
    }

    /** The sinusoidal embedding of float timesteps, then Linear → SiLU → Linear (the U-Net's timestep encoder). */
    @Test
    void timestepEmbeddingAndMlp() {
        INDArray t = Nd4j.createFromArray(3.7f, 250.2f);
        Parameters p = new Parameters(new Rng(31));
        GradientCheck.Result r = GradientCheck.run(p, (sd, type) -> {
            SDVariable h = AdmLayers.linear(sd, p, "timestep_encoder.1",
                    TimestepEmbedding.build(sd, sd.var("t", t.castTo(type)), 9), 9, 6);
            return new SDVariable[] {AdmLayers.linear(sd, p, "timestep_encoder.3", AdmLayers.silu(sd, h), 6, 6)};
        }, PER_VARIABLE, 0, 33, null);
        assertPasses(r, "timestep MLP");
    }

    /**
     * The whole U-Net on a micro config (channels [32, 64], one resize, one res block per level, attention on the
     * second level and the bottleneck, time/condition encoders, variance head), batch 2, 4×4: 3 random entries of
     * x, t, the condition and 40 random parameters (of 172).
     */
    @Test
    void wholeUNet() {
        AdmUNetConfig config = new AdmUNetConfig(new int[] {32, 64}, 1, 1, new boolean[] {false, true}, 8, 8, 5, "c",
                2, 4, 8, true, 0.0);
        Rng rng = new Rng(41);
        AdmUNet unet = AdmUNet.create(config, rng);
        INDArray x = rng.randn(2, 2, 4, 4);
        INDArray t = Nd4j.createFromArray(7f, 420f);
        INDArray c = rng.randn(2, 5);
        GradientCheck.Result r = GradientCheck.run(unet.parameters(), (sd, type) -> {
            AdmUNet.Outputs o = unet.build(sd, sd.var("x", x.castTo(type)), sd.var("t", t.castTo(type)),
                    java.util.Map.of("c", sd.var("cond", c.castTo(type))), 0);
            return new SDVariable[] {o.prediction(), o.varianceValue()};
        }, 3, 40, 43, null);
        assertPasses(r, "U-Net");
    }

    /** Negative control: the same comparison rejects an analytic gradient off by 0.1 % in one variable. */
    @Test
    void aCorruptedGradientFails() {
        GradientCheck.Result r = checkResBlock(new AdmResBlock(8, 8, 5, Resample.DOWN, false, true, false, 2, 1e-5),
                g -> g.get("block.in_block.3.weight").muli(1.001));
        assertFalse(r.passed(), r.toString());
        assertTrue(r.failures().stream().allMatch(f -> f.startsWith("block.in_block.3.weight")), r.toString());
    }
}
