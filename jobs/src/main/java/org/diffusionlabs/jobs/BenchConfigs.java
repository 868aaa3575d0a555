package org.diffusionlabs.jobs;

import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.models.adm.AdmUNetConfig;

import java.io.IOException;

/**
 * The U-Net configurations {@code bench} measures: "small" (the speed comparison against PyTorch: depth 32, one res
 * block per layer, 3 resizes), "tutorial" (the reference MNIST tutorial, 124.5 M parameters), "tiny" (the golden
 * test model), or a JSON file of adm_unet keyword arguments. All take 1×32×32 digits conditioned on a 768-wide
 * embedding named "digit". Public for the JMH microbenchmarks (src/jmh/java).
 */
public final class BenchConfigs {
    private BenchConfigs() {}

    public static AdmUNetConfig resolve(String name) {
        return switch (name) {
            case "small" -> AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 32, 3, 1);
            case "tutorial" -> AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 128, 3, 3);
            case "tiny" -> AdmUNetConfig.admUnet(128, 128, 768, "digit", true, 1, 32, 2, 1);
            default -> {
                try {
                    yield AdmUnetKwargs.parse(HadoopFiles.readText(name), name);
                } catch (IOException e) {
                    throw new ConfigurationException(name + ": not small, tutorial or tiny, and not readable: "
                            + e.getMessage(), e);
                } catch (IllegalArgumentException e) {
                    throw ConfigurationException.of(e);
                }
            }
        };
    }
}
