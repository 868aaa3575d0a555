package org.diffusionlabs.models.vae;

import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.engine.ScalarKernels;
import org.diffusionlabs.engine.kernels.Kernels;
import org.diffusionlabs.losses.VaeLoss;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny VAE against the real reference (golden/vae, see {@code tools/golden/vae_golden.py}): encode (mean,
 * stddev, KL), decode, forward at the mode and with a given ε, the posterior's clamp and its gradient, and the loss
 * MSE + 0.1·KL/batch with the gradient of every parameter and of the input (also with dropout 0.1), on the oracle kernels and on both
 * production implementations. Tolerances of golden/README.md: outputs |a − b| ≤ 1e-4·max|ref| + 1e-6, gradients
 * 1e-4·max|ref| + 1e-7.
 */
class VaeGoldenTest {
    static Kernels kernels(String name) {
        return name.equals("scalar") ? new ScalarKernels() : Kernels.named(name);
    }

    static void assertOutput(String name, INDArray actual) {
        Approx.assertCloseToMax(VaeGolden.outputs().get(name), actual, 1e-4, 1e-6, name);
    }

    /** The golden files are the ones the generator wrote (sizes and sha256 of MANIFEST.json). */
    @Test
    void theGoldenFilesMatchTheirManifest() throws Exception {
        com.fasterxml.jackson.databind.JsonNode manifest;
        try (java.io.InputStream in = VaeGoldenTest.class.getResourceAsStream("/golden/vae/MANIFEST.json")) {
            manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        int files = 0;
        for (java.util.Iterator<String> it = manifest.fieldNames(); it.hasNext(); files++) {
            String name = it.next();
            byte[] bytes;
            try (java.io.InputStream in = VaeGoldenTest.class.getResourceAsStream("/golden/vae/" + name)) {
                bytes = in.readAllBytes();
            }
            assertEquals(manifest.get(name).get("bytes").asLong(), bytes.length, name);
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            assertEquals(manifest.get(name).get("sha256").asText(), java.util.HexFormat.of().formatHex(sha), name);
        }
        assertEquals(4, files);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector", "composed"})
    void encodeDecodeAndBothForwardModesMatchTheReference(String kernelName) {
        Map<String, INDArray> in = VaeGolden.inputs();
        try (VaeNetwork net = VaeGolden.vae().network(kernels(kernelName))) {
            DiagonalGaussian post = net.encode(in.get("x"));
            assertOutput("encode.mean", post.mean());
            assertOutput("encode.stddev", post.stddev());
            assertOutput("encode.kl", post.kl());
            net.reclaim();
            assertOutput("decode", net.decode(in.get("z")));
            net.reclaim();
            assertOutput("forward_mode.decoder_output", net.forward(in.get("x"), null, DropoutNoise.NONE, false).decoded());
            net.reclaim();
            VaeNetwork.Output sampled = net.forward(in.get("x"), in.get("noise"), DropoutNoise.NONE, false);
            assertOutput("forward_sample.z", sampled.z());
            assertOutput("forward_sample.decoder_output", sampled.decoded());
        }
    }

    @Test
    void theModelsInferenceMethodsMatchTheReference() {
        VariationalAutoencoder vae = VaeGolden.vae();
        Map<String, INDArray> in = VaeGolden.inputs();
        assertOutput("encode.mean", vae.encode(in.get("x")).mean());
        assertOutput("decode", vae.decode(in.get("z")));
        assertOutput("forward_mode.decoder_output", vae.forward(in.get("x"), null).decoderOutput());
        assertOutput("forward_sample.decoder_output", vae.forward(in.get("x"), in.get("noise")).decoderOutput());
    }

    /** Log-variances from −45 to 35 through the clamp to [−30, 20], the sample, the KL and the gradient of h. */
    @Test
    void posteriorClampSampleKlAndGradientMatchTheReference() {
        Map<String, INDArray> in = VaeGolden.inputs();
        INDArray h = in.get("h");
        DiagonalGaussian post = DiagonalGaussian.fromMoments(h);
        assertOutput("posterior.mean", post.mean());
        assertOutput("posterior.stddev", post.stddev());
        assertOutput("posterior.kl", post.kl());
        assertOutput("posterior.z", post.sample(in.get("h_noise")));
        INDArray dMean = post.mean().ulike();
        INDArray dLogVar = post.mean().ulike();
        VaeLoss.klGradients(post, 1.0, dMean, dLogVar);
        INDArray dh = h.ulike();
        post.backward(h, in.get("h_noise"), in.get("h_weight"), dMean, dLogVar, dh, post.mean().ulike());
        INDArray ref = VaeGolden.outputs().get("posterior.grad_h");
        Approx.assertCloseToMax(ref, dh, 1e-4, 1e-7, "posterior.grad_h");
        // non-vacuous: the clamped half of h has exactly zero gradient in the reference and here
        assertTrue(ref.get(DiagonalGaussian.channels(2, 4)).amaxNumber().doubleValue() > 0.1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector", "composed"})
    void lossAndEveryGradientMatchTheReference(String kernelName) {
        Map<String, INDArray> in = VaeGolden.inputs();
        Map<String, INDArray> golden = VaeGolden.outputs();
        Golden s = VaeGolden.scalars();
        VariationalAutoencoder vae = VaeGolden.vae();
        try (VaeNetwork net = vae.network(kernels(kernelName))) {
            INDArray x = in.get("x");
            VaeNetwork.Output out = net.forward(x, in.get("noise"), DropoutNoise.NONE, true);
            Arena arena = net.arena();
            INDArray dDecoded = arena.take(out.decoded().shape());
            INDArray dMean = arena.take(out.posterior().mean().shape());
            INDArray dLogVar = arena.take(out.posterior().mean().shape());
            VaeLoss.Terms t = VaeLoss.compute(out.decoded(), x, out.posterior(), s.scalar("kl_weight"), dDecoded, dMean, dLogVar);
            assertEquals(s.scalar("mse"), t.reconstruction(), 1e-5 * s.scalar("mse"));
            assertEquals(s.scalar("kl"), t.kl(), 1e-5 * s.scalar("kl"));
            assertEquals(s.scalar("loss"), t.loss(), 1e-5 * s.scalar("loss"));
            // x is also the MSE target: its gradient has that path too
            INDArray targetPath = dDecoded.neg();
            INDArray dx = net.backward(dDecoded, dMean, dLogVar, true);
            Approx.assertCloseToMax(golden.get("grad.x"), dx.add(targetPath), 1e-4, 1e-7, "grad.x");
            assertEveryGradient(net, "grad.");
        }
    }

    /**
     * The same model with dropout 0.1 in training mode: masks from {@link DropoutNoise#torch} on a generator seeded
     * as the reference's global one was (4242), drawn in forward order, reproduce the output and every gradient.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "composed"})
    void theDropoutPathMatchesTheReference(String kernelName) {
        Map<String, INDArray> in = VaeGolden.inputs();
        Golden s = VaeGolden.scalars();
        VaeConfig c = VaeGolden.config();
        VaeConfig withDropout = new VaeConfig(c.embeddingChannels(), c.inChannels(), c.outChannels(), c.zChannels(),
                c.channels(), c.numResBlocks(), c.channelMultipliers(), s.scalar("dropout/p"), c.normGroups(), c.normEps(),
                c.outputAlphaChannel());
        VariationalAutoencoder vae = VariationalAutoencoder.ldmVariationalAutoencoder(withDropout, new org.diffusionlabs.nd.Rng(0));
        vae.loadStateDict(VaeGolden.state());
        try (VaeNetwork net = vae.network(kernels(kernelName))) {
            INDArray x = in.get("x");
            DropoutNoise masks = DropoutNoise.torch(new org.diffusionlabs.nd.Rng((long) s.scalar("dropout/seed")));
            VaeNetwork.Output out = net.forward(x, in.get("noise"), masks, true);
            assertOutput("dropout.decoder_output", out.decoded());
            Arena arena = net.arena();
            INDArray dDecoded = arena.take(out.decoded().shape());
            INDArray dMean = arena.take(out.posterior().mean().shape());
            INDArray dLogVar = arena.take(out.posterior().mean().shape());
            VaeLoss.Terms t = VaeLoss.compute(out.decoded(), x, out.posterior(), s.scalar("kl_weight"), dDecoded, dMean, dLogVar);
            assertEquals(s.scalar("dropout/loss"), t.loss(), 1e-5 * s.scalar("dropout/loss"));
            net.backward(dDecoded, dMean, dLogVar, false);
            assertEveryGradient(net, "dropout.grad.");
        }
    }

    /** Every parameter gradient of {@code net} against the golden {@code prefix + name}, 1e-4·max|ref| + 1e-7. */
    static void assertEveryGradient(VaeNetwork net, String prefix) {
        Map<String, INDArray> golden = VaeGolden.outputs();
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, INDArray> e : net.gradients().gradients().entrySet()) {
            INDArray ref = golden.get(prefix + e.getKey());
            checked++;
            double max = ref.amaxNumber().doubleValue();
            double diff = ref.castTo(DataType.DOUBLE).sub(e.getValue().castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            if (!(diff <= 1e-4 * max + 1e-7)) {
                bad.add(e.getKey() + " maxdiff " + diff + " (max|ref| " + max + ")");
            }
        }
        assertEquals(126, checked);
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
