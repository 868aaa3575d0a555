package org.diffusionlabs.jobs;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.Normalize;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.jobs.data.HadoopFiles;
import org.diffusionlabs.metrics.ClassifierTraining;
import org.diffusionlabs.metrics.DigitClassifier;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code diffusion train-classifier}: the training script of the bundled judge of sample quality
 * ({@link DigitClassifier#bundled()}). It trains only on the held-out share of the embedded MNIST digits — the digits
 * no diffusion run of the default configuration learns from — and reports its accuracy on the other digits, which it
 * has never seen. The weights file records the settings and that accuracy in its metadata.
 */
public final class TrainClassifierCommand extends OptionCommand {
    @Override
    public String name() {
        return "train-classifier";
    }

    @Override
    public String summary() {
        return "Train the MNIST classifier that 'eval' uses, on the held-out digits.";
    }

    @Override
    protected String synopsis() {
        return "--out W.safetensors [--overwrite] [--epochs N] [--seed S] [--held-out-fraction F] [--split-seed S]";
    }

    @Override
    protected String description() {
        return "Trains on the held-out split of the embedded digits (data.held_out_fraction 0.2, data.split_seed 0 by\n"
                + "default, as the training job holds them out) and prints its accuracy on the remaining digits.\n"
                + "An existing W.safetensors is replaced only with --overwrite.\n"
                + "The bundled weights were made with: bin/diffusion train-classifier --out "
                + "diffusion-core/src/main/resources" + DigitClassifier.BUNDLED + " --overwrite";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("out", "W.safetensors", "where to write the weights (local path or Hadoop URI)"),
                Option.valued("epochs", "N", "passes over the held-out digits (default 40)"),
                Option.valued("seed", "S", "initialisation, shuffling and shift seed (default 0)"),
                Option.valued("held-out-fraction", "F", "share of each digit held out (default 0.2)"),
                Option.valued("split-seed", "S", "seed of the held-out split (default 0)"),
                Option.flag("overwrite", "replace W.safetensors if it exists"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        String file = args.required("out");
        int epochs = args.optionalInt("epochs").orElse(40);
        long seed = args.optionalInt("seed").orElse(0);
        long splitSeed = args.optionalInt("split-seed").orElse((int) DigitClassifier.SPLIT_SEED);
        double fraction = args.real("held-out-fraction", DigitClassifier.HELD_OUT_FRACTION);
        if (!(fraction > 0 && fraction < 1)) {
            throw new UsageException("option --held-out-fraction must be in (0, 1), got " + fraction);
        }
        if (epochs < 1) {
            throw new UsageException("option --epochs must be >= 1, got " + epochs);
        }
        try {
            if (!args.flag("overwrite") && HadoopFiles.fs(HadoopFiles.path(file)).exists(HadoopFiles.path(file))) {
                throw new UsageException("option --out " + file + " exists: pass --overwrite to replace it, or choose "
                        + "another file");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        LabeledImages.Split split = MnistEmbedded.load().split(fraction, splitSeed);
        LabeledImages train = signed(split.heldOut());
        LabeledImages unseen = signed(split.train());
        ClassifierTraining.Settings settings = new ClassifierTraining.Settings(epochs, 64, 1e-3, 2, seed);
        DigitClassifier classifier = DigitClassifier.initial(seed);
        err.printf("training the digit classifier on %,d held-out digits for %d epochs%n", train.size(), epochs);
        long start = System.nanoTime();
        ClassifierTraining.fit(classifier, train, settings, (epoch, loss) ->
                err.printf("epoch %d/%d  loss %.4f  %.0f s%n", epoch, epochs, loss, (System.nanoTime() - start) / 1e9));
        double accuracy = ClassifierTraining.accuracy(classifier, unseen);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "diffusion-labs digit classifier v1");
        meta.put("trained_on", String.format(Locale.ROOT, "embedded MNIST held-out split: fraction %s, split seed %d, %d digits",
                fraction, splitSeed, train.size()));
        meta.put("epochs", Integer.toString(epochs));
        meta.put("seed", Long.toString(seed));
        meta.put("augmentation", "random shifts up to 2 pixels");
        meta.put("accuracy_on_unseen", String.format(Locale.ROOT, "%.4f", accuracy));
        meta.put("unseen_digits", Integer.toString(unseen.size()));
        try {
            HadoopFiles.writeSafetensors(file, classifier.weights(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "accuracy on %,d unseen digits: %.2f %%%n", unseen.size(), 100 * accuracy);
        err.printf("wrote %s%n", file);
        return OK;
    }

    private static LabeledImages signed(LabeledImages d) {
        return new LabeledImages(Normalize.toSigned(d.images()), d.labels());
    }
}
