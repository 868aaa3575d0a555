package org.diffusionlabs.models.vae;

import com.fasterxml.jackson.databind.JsonNode;
import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VAE's state dict against the reference's: the same names, shapes and order as {@code state_dict()} (the list
 * the golden generator recorded), the same seeded initial weights, a safetensors round trip, and errors that name
 * every missing, unexpected or wrongly shaped tensor.
 */
class VaeStateDictTest {
    static VariationalAutoencoder fresh(long seed) {
        return VariationalAutoencoder.ldmVariationalAutoencoder(VaeGolden.config(), new Rng(seed));
    }

    @Test
    void namesShapesAndOrderAreTheReferences() {
        List<String> expected = new ArrayList<>();
        for (JsonNode e : VaeGolden.scalars().node("state_dict")) {
            StringBuilder s = new StringBuilder(e.get(0).asText()).append(' ');
            e.get(1).forEach(d -> s.append(d.asLong()).append(','));
            expected.add(s.toString());
        }
        List<String> actual = new ArrayList<>();
        fresh(0).stateDict().forEach((k, v) -> {
            StringBuilder s = new StringBuilder(k).append(' ');
            for (long d : v.shape()) {
                s.append(d).append(',');
            }
            actual.add(s.toString());
        });
        assertEquals(126, expected.size());
        assertEquals(expected, actual);
        assertEquals((long) VaeGolden.scalars().scalar("parameter_count"), fresh(0).parameters().count());
    }

    /**
     * Seed 0 gives PyTorch's initial weights: the golden state is those plus N(0, 0.02) noise drawn from a
     * generator seeded 20240601 per parameter in order, which we redraw and add the same way.
     */
    @Test
    void theSameSeedGivesTheReferencesInitialWeights() {
        Rng noise = new Rng(20240601);
        Map<String, INDArray> golden = VaeGolden.state();
        double worst = 0;
        for (Map.Entry<String, INDArray> e : fresh(0).stateDict().entrySet()) {
            INDArray perturbed = e.getValue().add(noise.randn(e.getValue().shape()).muli(0.02f));
            worst = Math.max(worst, golden.get(e.getKey()).sub(perturbed).amaxNumber().doubleValue());
        }
        assertTrue(worst <= 1e-7, "largest difference from the reference's perturbed initial weights: " + worst);
        // and another seed does not
        INDArray other = fresh(1).stateDict().get("encoder.resnet_encoder.init_conv.weight");
        assertTrue(golden.get("encoder.resnet_encoder.init_conv.weight").sub(other).amaxNumber().doubleValue() > 0.05);
    }

    @Test
    void weightsRoundTripThroughSafetensors(@TempDir Path dir) throws IOException {
        VariationalAutoencoder a = VaeGolden.vae();
        Path file = dir.resolve("vae.safetensors");
        Safetensors.write(a.stateDict(), Map.of("format", "pytorch state_dict"), file);
        VariationalAutoencoder b = fresh(7);
        assertEquals(126, b.loadStateDict(Safetensors.read(file)).size());
        for (Map.Entry<String, INDArray> e : a.stateDict().entrySet()) {
            assertEquals(e.getValue(), b.stateDict().get(e.getKey()), e.getKey());
        }
        assertEquals(new ArrayList<>(a.stateDict().keySet()), new ArrayList<>(Safetensors.readHeader(file).entries().keySet()));
    }

    @Test
    void aMissingTensorIsNamed() {
        Map<String, INDArray> w = new LinkedHashMap<>(VaeGolden.state());
        w.remove("decoder.resnet_decoder.mid_block.1.net.attn.key.bias");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh(0).loadStateDict(w));
        assertTrue(e.getMessage().contains("missing (1): decoder.resnet_decoder.mid_block.1.net.attn.key.bias"), e.getMessage());
    }

    @Test
    void anUnexpectedTensorIsNamed() {
        Map<String, INDArray> w = new LinkedHashMap<>(VaeGolden.state());
        w.put("encoder.resnet_encoder.extra.weight", Nd4j.zeros(DataType.FLOAT, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh(0).loadStateDict(w));
        assertTrue(e.getMessage().contains("unexpected (1): encoder.resnet_encoder.extra.weight"), e.getMessage());
    }

    @Test
    void aWronglyShapedTensorIsNamedWithBothShapes() {
        Map<String, INDArray> w = new LinkedHashMap<>(VaeGolden.state());
        w.put("encoder.quant_conv.weight", Nd4j.zeros(DataType.FLOAT, 6, 8, 3, 3));
        VariationalAutoencoder vae = fresh(0);
        INDArray before = vae.stateDict().get("encoder.quant_conv.bias").dup();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vae.loadStateDict(w));
        assertTrue(e.getMessage().contains("encoder.quant_conv.weight [6, 8, 3, 3] (expected [6, 8, 1, 1])"), e.getMessage());
        // nothing was loaded
        assertEquals(before, vae.stateDict().get("encoder.quant_conv.bias"));
        assertArrayEquals(new long[] {6, 8, 1, 1}, vae.stateDict().get("encoder.quant_conv.weight").shape());
    }
}
