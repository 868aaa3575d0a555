package org.diffusionlabs.jobs;

import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageFolder;
import org.diffusionlabs.data.ImageFolderReader;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.Normalize;
import org.diffusionlabs.data.OnInvalid;
import org.diffusionlabs.data.Resize;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.metrics.DigitClassifier;
import org.diffusionlabs.metrics.SampleQuality;
import org.diffusionlabs.spark.HadoopStorage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code diffusion eval}: how good conditional samples are, judged by our MNIST classifier (bundled, trained on the
 * held-out digits only): the share of samples classified as the digit they were asked for, per digit and overall, and
 * the Fréchet distance between the classifier's features of the samples and of real digits, next to the same distance
 * for as many real digits (the floor a perfect model would reach at that sample count).
 */
public final class EvalCommand extends OptionCommand {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "Score conditional samples (DIR/<digit>/*.png) with our MNIST classifier: accuracy and Frechet distance.";
    }

    @Override
    protected String synopsis() {
        return "--samples DIR [--classifier W.safetensors] [--on-invalid error|skip] [--json]";
    }

    @Override
    protected String description() {
        return "DIR is what 'diffusion sample' writes: DIR/<digit>/<i>.png, the folder name being the requested digit.\n"
                + "Images are resized to 28x28 (bilinear) and mapped to [-1, 1]. Real digits for the Frechet distance are\n"
                + "the embedded digits the classifier never saw (the training split of the default configuration).\n"
                + "Files are read as training reads an image folder: hidden entries are ignored, and an unusable\n"
                + "image (corrupt, or declaring more than the image caps) stops eval naming it, or with\n"
                + "--on-invalid skip is left out and named on stderr.";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("samples", "DIR", "sample folder: DIR/<digit>/<i>.png"),
                Option.valued("classifier", "W.safetensors", "classifier weights (default: the bundled ones)"),
                Option.valued("on-invalid", "error|skip", "an unusable image stops eval (error, default) or is "
                        + "skipped"),
                Option.flag("json", "print one JSON object to stdout instead of a table"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        String dir = args.required("samples");
        String policy = args.string("on-invalid").orElse("error");
        if (!policy.equals("error") && !policy.equals("skip")) {
            throw new UsageException("option --on-invalid must be error or skip, got '" + policy + "'");
        }
        DigitClassifier classifier;
        Map<String, String> about;
        try {
            if (args.string("classifier").isPresent()) {
                classifier = DigitClassifier.load(HadoopFiles.readSafetensors(args.string("classifier").get()));
                about = Map.of("weights", args.string("classifier").get());
            } else {
                classifier = DigitClassifier.bundled();
                about = DigitClassifier.bundledMetadata();
            }
            HadoopStorage storage = new HadoopStorage(dir);
            ImageFolder folder = ImageFolderReader.read(storage, "", ImageOptions
                    .grey(DigitClassifier.SIDE, DigitClassifier.SIDE).withResize(true)
                    .withOnInvalid(policy.equals("skip") ? OnInvalid.SKIP : OnInvalid.ERROR));
            if (folder.skipped() > 0) {
                err.printf("eval: skipped %,d unusable image(s) (--on-invalid skip); the first %d:%n", folder.skipped(),
                        folder.skippedFiles().size());
                folder.skippedFiles().forEach(s -> err.println("  " + s));
            }
            int[] labels = requestedDigits(folder, dir);
            LabeledImages samples = new LabeledImages(Normalize.toSigned(folder.data().images()), labels);
            int side = sampleSide(storage, folder);
            LabeledImages real = MnistEmbedded.load().split(DigitClassifier.HELD_OUT_FRACTION, DigitClassifier.SPLIT_SEED).train();
            real = new LabeledImages(Normalize.toSigned(asSampled(real.images(), side)), real.labels());
            err.printf("scoring %,d samples (%dx%d) of %s against %,d real digits%n", samples.size(), side, side, dir, real.size());
            SampleQuality q = SampleQuality.measure(classifier, samples, real, 0);
            out.println(args.flag("json") ? Json.of(q.asMap(about)) : q.table());
            return OK;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Real digits [n, 1, 28, 28] in [0, 1] as a perfect generator at {@code side}×{@code side} would deliver them to
     * this command: resized to the side (as training data is), stored as 8-bit PNG, resized back to 28×28. Without
     * this, the two bilinear resamplings alone would put real digits far from the reference.
     */
    static INDArray asSampled(INDArray real01, int side) {
        if (side == DigitClassifier.SIDE) {
            return real01;
        }
        INDArray stored = Transforms.round(Resize.bilinear(real01, side).muli(255), false).divi(255);
        return Resize.bilinear(Transforms.min(Transforms.max(stored, 0, false), 1, false), DigitClassifier.SIDE);
    }

    /**
     * Height of the first sample image as stored (all are resized to 28×28 for the classifier), from the header of a
     * file the folder reader read: nothing else in the folder is opened, and nothing is decoded.
     */
    private static int sampleSide(HadoopStorage storage, ImageFolder folder) throws IOException {
        String first = folder.files().get(0);
        try (InputStream in = storage.open(first)) {
            return ImageDecoder.header(in, storage.location(first)).height();
        }
    }

    /** The digit each image was asked for, from its folder name. */
    private static int[] requestedDigits(ImageFolder folder, String dir) throws UsageException {
        int[] byIndex = new int[folder.classNames().size()];
        for (int i = 0; i < byIndex.length; i++) {
            String name = folder.classNames().get(i);
            if (!name.matches("[0-9]")) {
                throw new UsageException(dir + "/" + name + ": sample folders must be named by the digit 0-9 they were asked for");
            }
            byIndex[i] = Integer.parseInt(name);
        }
        int[] labels = folder.data().labels();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = byIndex[labels[i]];
        }
        return labels;
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }
}
