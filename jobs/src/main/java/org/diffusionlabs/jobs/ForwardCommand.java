package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code diffusion forward}: the interoperability check after moving a PyTorch diffusion_labs checkpoint. Builds
 * the U-Net of an {@code adm_unet(...)} configuration, loads its weights strictly (a name or shape mismatch lists
 * every offending tensor), runs one eval-mode forward on the given inputs — optionally through classifier-free
 * guidance — and writes {@code prediction} (and {@code variance_value}) as safetensors, for comparison with the
 * reference's outputs.
 */
public final class ForwardCommand extends OptionCommand {
    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "Run one ADM U-Net forward pass on safetensors inputs (PyTorch checkpoint interop check).";
    }

    @Override
    protected String synopsis() {
        return "--unet-config C.json --weights W.safetensors --inputs I.safetensors --output O.safetensors "
                + "[--adapter-weights A.safetensors --guidance G]";
    }

    @Override
    protected String description() {
        return "C.json holds the keyword arguments of the reference's adm_unet(...) under their names\n"
                + "(time_embed_dim, cond_embed_dim, embed_dim, embed_name, predict_variance_value, image_channels,\n"
                + "depth, num_resize, num_res_per_layer); absent keys take adm_unet's defaults.\n"
                + "W holds the U-Net state_dict (reference names, F32). I holds x_t [b,c,h,w], t [b] and the conditional\n"
                + "input under its embed_name ([b, embed_dim]). The output holds 'prediction' and, when the variance is\n"
                + "predicted, 'variance_value'. With --guidance G the U-Net runs inside classifier-free guidance whose\n"
                + "null embedding is read from A (train_unconditional_embedding.<name>, eval_unconditional_embedding.<name>),\n"
                + "and 'prediction' is (1+G)*cond - G*uncond. Paths may be local or any Hadoop file system URI;\n"
                + "O must not name one of the input files (refused: an output never replaces an input).";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("unet-config", "C.json", "adm_unet keyword arguments (JSON)"),
                Option.valued("weights", "W.safetensors", "U-Net weights under the reference state_dict names"),
                Option.valued("inputs", "I.safetensors", "x_t, t and the conditional input"),
                Option.valued("output", "O.safetensors", "where to write prediction (and variance_value)"),
                Option.valued("adapter-weights", "A.safetensors", "classifier-free guidance null embeddings"),
                Option.valued("guidance", "G", "guidance strength (needs --adapter-weights)"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        String configPath = args.required("unet-config");
        String weightsPath = args.required("weights");
        String inputsPath = args.required("inputs");
        String outputPath = args.required("output");
        Optional<String> adapterPath = args.string("adapter-weights");
        boolean guided = args.string("guidance").isPresent();
        double guidance = args.real("guidance", 0.0);
        if (guided != adapterPath.isPresent()) {
            throw new UsageException("options --guidance and --adapter-weights go together");
        }
        if (!Double.isFinite(guidance)) {
            throw new UsageException("option --guidance must be finite, got " + guidance);
        }
        try {
            Map<String, String> inputs = new LinkedHashMap<>();
            inputs.put("unet-config", configPath);
            inputs.put("weights", weightsPath);
            inputs.put("inputs", inputsPath);
            inputs.put("adapter-weights", adapterPath.orElse(null));
            HadoopFiles.requireNotAnInput("output", outputPath, inputs);
            AdmUNetConfig config = unetConfig(configPath);
            AdmUNet unet = AdmUNet.create(config, new Rng(0));
            Map<String, INDArray> weights = HadoopFiles.readSafetensors(weightsPath);
            try {
                unet.parameters().load(weights, true);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(weightsPath + ": " + e.getMessage());
            }
            err.printf("loaded %d tensors (%,d parameters) from %s%n", weights.size(), unet.parameters().count(), weightsPath);
            ForwardInputs in = ForwardInputs.read(HadoopFiles.readSafetensors(inputsPath), config, inputsPath);
            DenoisingModel model = guided
                    ? GuidedModels.wrap(unet, config, HadoopFiles.readSafetensors(adapterPath.get()), guidance, adapterPath.get())
                    : unet;
            DiffusionOutput o = model.predict(in.xt(), in.t(), in.conditioning());
            Map<String, INDArray> result = new LinkedHashMap<>();
            result.put("prediction", o.prediction());
            if (o.varianceValue() != null) {
                result.put("variance_value", o.varianceValue());
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("written_by", "diffusion forward");
            meta.put("config", new ObjectMapper().writeValueAsString(HadoopFiles.readText(configPath)));
            meta.put("guidance", guided ? Double.toString(guidance) : "none");
            HadoopFiles.writeSafetensors(outputPath, result, meta);
            err.printf("wrote %s to %s%n", result.keySet(), outputPath);
            return OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The forward inputs read from the inputs file. */
    record ForwardInputs(INDArray xt, INDArray t, Conditioning conditioning) {
        static ForwardInputs read(Map<String, INDArray> in, AdmUNetConfig config, String source) {
            INDArray xt = require(in, "x_t", source);
            INDArray t = require(in, "t", source);
            if (xt.rank() != 4 || xt.size(1) != config.inChannels()) {
                throw new IllegalArgumentException(source + ": x_t has shape " + java.util.Arrays.toString(xt.shape())
                        + ", expected [b, " + config.inChannels() + ", h, w] (image_channels)");
            }
            if (t.length() != xt.size(0)) {
                throw new IllegalArgumentException(source + ": t has " + t.length() + " values for a batch of " + xt.size(0));
            }
            Conditioning c = Conditioning.none();
            if (config.embedDim() > 0 && in.containsKey(config.embedName())) {
                INDArray cond = in.get(config.embedName());
                if (cond.rank() != 2 || cond.size(0) != xt.size(0) || cond.size(1) != config.embedDim()) {
                    throw new IllegalArgumentException(source + ": '" + config.embedName() + "' has shape "
                            + java.util.Arrays.toString(cond.shape()) + ", expected [" + xt.size(0) + ", " + config.embedDim() + "]");
                }
                c = Conditioning.of(config.embedName(), cond);
            }
            return new ForwardInputs(xt, t.reshape(xt.size(0)), c);
        }

        private static INDArray require(Map<String, INDArray> in, String name, String source) {
            INDArray v = in.get(name);
            if (v == null) {
                throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (it has " + in.keySet() + ")");
            }
            return v;
        }
    }

    /** The adm_unet arguments of {@code --unet-config}: the user's configuration, so any problem exits 2. */
    private static AdmUNetConfig unetConfig(String path) {
        try {
            return AdmUnetKwargs.parse(HadoopFiles.readText(path), path);
        } catch (IOException e) {
            throw new ConfigurationException("--unet-config " + path + ": cannot read it: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.of(e);
        }
    }
}
