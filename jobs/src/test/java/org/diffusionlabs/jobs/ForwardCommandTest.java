package org.diffusionlabs.jobs;

import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.testing.Approx;
import org.diffusionlabs.testing.TinyGolden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code diffusion forward} on the reference's tiny checkpoint: eval forward and guided forward, plus rejections. */
class ForwardCommandTest {
    static final String TINY_CONFIG = "{\"time_embed_dim\": 128, \"cond_embed_dim\": 128, \"embed_dim\": 768, "
            + "\"embed_name\": \"digit\", \"predict_variance_value\": true, \"image_channels\": 1, \"depth\": 32, "
            + "\"num_resize\": 2, \"num_res_per_layer\": 1}";

    @TempDir
    Path dir;

    @Test
    void reproducesTheReferenceEvalForward() throws IOException {
        Cli.Result r = run(TinyGolden.weights(), inputs());
        assertEquals(0, r.code(), r::toString);
        Map<String, INDArray> out = Safetensors.read(dir.resolve("out.safetensors"));
        Approx.assertCloseToMax(TinyGolden.outputs().get("unet_eval.prediction"), out.get("prediction"), 1e-4, 1e-6, "prediction");
        Approx.assertCloseToMax(TinyGolden.outputs().get("unet_eval.variance_value"), out.get("variance_value"), 1e-4, 1e-6,
                "variance_value");
        assertEquals("", r.out(), "stdout stays empty");
    }

    @Test
    void reproducesTheReferenceGuidedForward() throws IOException {
        Path adapter = write("adapter.safetensors", TinyGolden.cfgExtra());
        Cli.Result r = run(TinyGolden.weights(), inputs(), "--adapter-weights", adapter.toString(), "--guidance", "2");
        assertEquals(0, r.code(), r::toString);
        Map<String, INDArray> out = Safetensors.read(dir.resolve("out.safetensors"));
        Approx.assertCloseToMax(TinyGolden.outputs().get("cfg_eval_g2.prediction"), out.get("prediction"), 1e-4, 1e-6, "guided");
        Approx.assertCloseToMax(TinyGolden.outputs().get("cfg_eval_g2.variance_value"), out.get("variance_value"), 1e-4,
                1e-6, "guided variance");
    }

    @Test
    void aMissingOrMisshapedWeightIsNamedAndNothingIsWritten() throws IOException {
        Map<String, INDArray> w = new LinkedHashMap<>(TinyGolden.weights());
        w.remove("up.6._module_list.0.2.bias");
        w.put("down.0._module_list.0.weight", w.get("down.0._module_list.0.weight").reshape(32, 1, 9));
        w.put("extra.weight", w.get("up.6._module_list.0.0.bias"));
        Cli.Result r = run(w, inputs());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("up.6._module_list.0.2.bias") && r.err().contains("down.0._module_list.0.weight")
                && r.err().contains("extra.weight"), r.err());
        assertTrue(Files.notExists(dir.resolve("out.safetensors")));
    }

    @Test
    void badConfigAndInputsAreRejectedClearly() throws IOException {
        Files.writeString(dir.resolve("bad.json"), "{\"depth\": 32, \"num_resize\": 1, \"colour\": true}");
        Cli.Result r = Cli.run("forward", "--unet-config", dir.resolve("bad.json").toString(), "--weights", "w",
                "--inputs", "i", "--output", "o");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("colour"), r.err());

        Map<String, INDArray> in = new LinkedHashMap<>(inputs());
        in.put("x_t", in.get("x_t").repeat(1, 3));
        Cli.Result wrong = run(TinyGolden.weights(), in);
        assertEquals(1, wrong.code(), wrong::toString);
        assertTrue(wrong.err().contains("x_t"), wrong.err());

        Cli.Result usage = Cli.run("forward", "--unet-config", "c", "--weights", "w", "--inputs", "i", "--output", "o",
                "--guidance", "2");
        assertEquals(2, usage.code(), usage::toString);

        Cli.Result missing = Cli.run("forward", "--unet-config", dir.resolve("nope.json").toString(), "--weights", "w",
                "--inputs", "i", "--output", "o");
        assertEquals(2, missing.code(), missing::toString);
        assertTrue(missing.err().contains("nope.json"), missing.err());
    }

    /** Issue 15 (d): an output naming an input file is refused before anything is written; the input stays. */
    @Test
    void anOutputNamingAnInputIsRefusedAndTheInputKept() throws IOException {
        run(TinyGolden.weights(), inputs());
        Path w = dir.resolve("weights.safetensors");
        byte[] before = Files.readAllBytes(w);
        for (String input : new String[] {"weights.safetensors", "inputs.safetensors", "config.json"}) {
            Cli.Result r = Cli.run("forward", "--unet-config", dir.resolve("config.json").toString(), "--weights",
                    w.toString(), "--inputs", dir.resolve("inputs.safetensors").toString(), "--output",
                    dir.resolve("sub/../" + input).toString());
            assertEquals(2, r.code(), r::toString);
            assertTrue(r.err().contains("--output") && r.err().contains(input), r.err());
        }
        assertArrayEquals(before, Files.readAllBytes(w));
    }

    private Map<String, INDArray> inputs() {
        Map<String, INDArray> g = TinyGolden.inputs();
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("x_t", g.get("x_t"));
        in.put("t", g.get("t"));
        in.put("digit", g.get("digit_embedding"));
        return in;
    }

    private Cli.Result run(Map<String, INDArray> weights, Map<String, INDArray> inputs, String... extra) throws IOException {
        Files.writeString(dir.resolve("config.json"), TINY_CONFIG);
        Path w = write("weights.safetensors", weights);
        Path i = write("inputs.safetensors", inputs);
        String[] base = {"forward", "--unet-config", dir.resolve("config.json").toString(), "--weights", w.toString(),
                "--inputs", i.toString(), "--output", dir.resolve("out.safetensors").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Cli.run(all);
    }

    private Path write(String name, Map<String, INDArray> tensors) throws IOException {
        Path p = dir.resolve(name);
        Safetensors.write(tensors, Map.of(), p);
        return p;
    }
}
