package org.diffusionlabs.testing;

import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The reference's "tiny" ADM U-Net golden files (weights, inputs, outputs) from the test resources. */
public final class TinyGolden {
    private static final Map<String, Map<String, INDArray>> CACHE = new ConcurrentHashMap<>();

    private TinyGolden() {}

    /** adm_unet(128, 128, 768, "digit", true, 1, depth 32, num_resize 2, num_res_per_layer 1). */
    public static AdmUNetConfig config() {
        return AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 32, 2, 1);
    }

    public static Map<String, INDArray> weights() {
        return file("tiny_unet.safetensors");
    }

    public static Map<String, INDArray> inputs() {
        return file("tiny_inputs.safetensors");
    }

    public static Map<String, INDArray> outputs() {
        return file("tiny_outputs.safetensors");
    }

    public static Map<String, INDArray> cfgExtra() {
        return file("tiny_cfguidance_extra.safetensors");
    }

    /** The tiny U-Net with the golden weights loaded strictly. */
    public static AdmUNet unet() {
        AdmUNet unet = AdmUNet.create(config(), new Rng(0));
        unet.parameters().load(weights(), true);
        return unet;
    }

    public static Map<String, INDArray> file(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = TinyGolden.class.getResourceAsStream("/golden/" + n)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource golden/" + n);
                }
                Path tmp = Files.createTempFile("golden", ".safetensors");
                try {
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return Safetensors.read(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
