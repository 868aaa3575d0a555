package org.diffusionlabs.metrics;

import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.TorchInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LeNet-style MNIST classifier on SameDiff, the judge of sample quality: input [n, 1, 28, 28] in [−1, 1], two 5×5
 * valid convolutions (32, 64 channels) each followed by ReLU and 2×2 max-pooling, a 128-unit ReLU layer (the
 * {@link Output#features() features} used for the Fréchet distance) and 10 logits. 184,586 parameters, stored under
 * PyTorch-style names ({@code conv1.weight} [32, 1, 5, 5], …, {@code fc2.bias} [10]).
 */
public final class DigitClassifier {
    /** Side of the input images. */
    public static final int SIDE = 28;
    /** Number of classes (digits 0–9). */
    public static final int CLASSES = 10;
    /** Width of the feature layer. */
    public static final int FEATURES = 128;
    /** Share of each digit of the embedded MNIST set held out for (and only for) the bundled classifier. */
    public static final double HELD_OUT_FRACTION = 0.2;
    /** Seed of that held-out split ({@code LabeledImages.split}). */
    public static final long SPLIT_SEED = 0;
    /** Class-path location of the bundled weights. */
    public static final String BUNDLED = "/org/diffusionlabs/metrics/digit-classifier.safetensors";
    static final String X = "x";
    static final String Y = "y";
    static final String LOSS = "loss";
    static final String LOGITS = "logits";
    static final String FEATS = "features";
    private static final String OWNER = "DigitClassifier";
    private static final int CHUNK = 512;

    private final Map<String, INDArray> weights;
    private final SameDiff sd;

    /** Logits [n, 10] and features [n, 128] of a batch. */
    public record Output(INDArray logits, INDArray features) {
        /** The arg-max class of each row. */
        public int[] predictions() {
            return logits.argMax(1).toIntVector();
        }
    }

    private DigitClassifier(Map<String, INDArray> weights) {
        this.weights = weights;
        this.sd = graph(weights);
    }

    /** Freshly initialised (PyTorch's default Conv2d/Linear init) from a seed. */
    public static DigitClassifier initial(long seed) {
        Rng rng = new Rng(seed);
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes().entrySet()) {
            long[] shape = e.getValue();
            if (e.getKey().endsWith(".weight")) {
                w.put(e.getKey(), TorchInit.weight(rng, shape));
            } else {
                long fanIn = TorchInit.fanIn(shapes().get(e.getKey().replace(".bias", ".weight")));
                w.put(e.getKey(), TorchInit.bias(rng, shape[0], fanIn));
            }
        }
        return new DigitClassifier(w);
    }

    /**
     * A classifier with the given weights; names and shapes must be exactly those of {@link #shapes()}.
     *
     * @throws IllegalArgumentException naming the missing, unexpected or mis-shaped tensor
     */
    public static DigitClassifier load(Map<String, INDArray> tensors) {
        Checks.notNull(tensors, OWNER, "tensors");
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes().entrySet()) {
            INDArray t = tensors.get(e.getKey());
            Checks.require(t != null, OWNER, "weights", tensors.keySet(), "lack " + e.getKey());
            Checks.require(java.util.Arrays.equals(t.shape(), e.getValue()), OWNER, e.getKey() + ".shape", t.shape(),
                    "must be " + java.util.Arrays.toString(e.getValue()));
            w.put(e.getKey(), t.castTo(DataType.FLOAT).dup('c'));
        }
        for (String k : tensors.keySet()) {
            Checks.require(w.containsKey(k), OWNER, "weights", k, "is not a tensor of this classifier");
        }
        return new DigitClassifier(w);
    }

    /**
     * The classifier shipped with the library ({@link #BUNDLED}), trained by {@code bin/diffusion train-classifier}
     * on the held-out {@link #HELD_OUT_FRACTION} of the embedded MNIST digits ({@link #SPLIT_SEED}); its header metadata records how.
     */
    public static DigitClassifier bundled() {
        return load(bundledTensors());
    }

    /** The {@code __metadata__} of the bundled weights file (training settings and measured accuracy). */
    public static Map<String, String> bundledMetadata() {
        try (InputStream in = resource()) {
            byte[] bytes = in.readAllBytes();
            return Safetensors.readHeader(new java.io.ByteArrayInputStream(bytes), bytes.length).metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(BUNDLED + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> bundledTensors() {
        try (InputStream in = resource()) {
            byte[] bytes = in.readAllBytes();
            return Safetensors.read(new java.io.ByteArrayInputStream(bytes), bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(BUNDLED + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource() throws IOException {
        InputStream in = DigitClassifier.class.getResourceAsStream(BUNDLED);
        if (in == null) {
            throw new java.io.FileNotFoundException(BUNDLED + " is not on the classpath");
        }
        return in;
    }

    /** The parameter names and shapes, in declaration order. */
    public static Map<String, long[]> shapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("conv1.weight", new long[] {32, 1, 5, 5});
        s.put("conv1.bias", new long[] {32});
        s.put("conv2.weight", new long[] {64, 32, 5, 5});
        s.put("conv2.bias", new long[] {64});
        s.put("fc1.weight", new long[] {FEATURES, 64 * 4 * 4});
        s.put("fc1.bias", new long[] {FEATURES});
        s.put("fc2.weight", new long[] {CLASSES, FEATURES});
        s.put("fc2.bias", new long[] {CLASSES});
        return s;
    }

    /** The live weights (trained in place by {@link ClassifierTraining}). */
    public Map<String, INDArray> weights() {
        return weights;
    }

    SameDiff sameDiff() {
        return sd;
    }

    /** Logits and features of images [n, 1, 28, 28] in [−1, 1], evaluated in chunks. */
    public Output classify(INDArray images) {
        Checks.notNull(images, OWNER, "images");
        Checks.require(images.rank() == 4 && images.size(1) == 1 && images.size(2) == SIDE && images.size(3) == SIDE,
                OWNER, "images.shape", images.shape(), "must be [n, 1, 28, 28]");
        long n = images.size(0);
        List<INDArray> logits = new ArrayList<>();
        List<INDArray> feats = new ArrayList<>();
        for (long from = 0; from < n; from += CHUNK) {
            INDArray x = images.get(NDArrayIndex.interval(from, Math.min(n, from + CHUNK))).castTo(DataType.FLOAT).dup('c');
            Map<String, INDArray> out = sd.output(Map.of(X, x), LOGITS, FEATS);
            logits.add(out.get(LOGITS).dup());
            feats.add(out.get(FEATS).dup());
        }
        return new Output(Nd4j.concat(0, logits.toArray(new INDArray[0])), Nd4j.concat(0, feats.toArray(new INDArray[0])));
    }

    private static SameDiff graph(Map<String, INDArray> w) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(X, DataType.FLOAT, -1, 1, SIDE, SIDE);
        SDVariable y = sd.placeHolder(Y, DataType.FLOAT, -1, CLASSES);
        Map<String, SDVariable> v = new LinkedHashMap<>();
        w.forEach((k, a) -> v.put(k, sd.var(k, a)));
        SDVariable h = pool(sd, sd.nn().relu(conv(sd, x, v.get("conv1.weight"), v.get("conv1.bias")), 0));
        h = pool(sd, sd.nn().relu(conv(sd, h, v.get("conv2.weight"), v.get("conv2.bias")), 0));
        h = sd.reshape(h, -1, 64L * 4 * 4);
        SDVariable f = sd.nn().relu(FEATS, sd.mmul(h, v.get("fc1.weight"), false, true, false).add(v.get("fc1.bias")), 0);
        SDVariable logits = sd.mmul(f, v.get("fc2.weight"), false, true, false).add(LOGITS, v.get("fc2.bias"));
        // log-softmax composed (SameDiff's log_softmax with an axis fails to clone into the gradient function)
        SDVariable z = logits.sub(logits.max(true, 1));
        SDVariable logp = z.sub(sd.math().log(sd.math().exp(z).sum(true, 1)));
        SDVariable nll = logp.mul(y).sum(1).neg();
        nll.mean(LOSS, 0);
        sd.setLossVariables(LOSS);
        return sd;
    }

    private static SDVariable conv(SameDiff sd, SDVariable x, SDVariable oiyx, SDVariable b) {
        Conv2DConfig cfg = Conv2DConfig.builder().kH(5).kW(5).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        return sd.cnn().conv2d(x, sd.permute(oiyx, 2, 3, 1, 0), b, cfg);
    }

    private static SDVariable pool(SameDiff sd, SDVariable x) {
        return sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
    }
}
