package org.diffusionlabs.jobs.data;

import com.typesafe.config.Config;
import org.diffusionlabs.data.IdxReader;
import org.diffusionlabs.data.ImageFolder;
import org.diffusionlabs.data.ImageFolderReader;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.diffusionlabs.data.OnInvalid;
import org.diffusionlabs.data.SkippedImages;
import org.diffusionlabs.spark.HadoopStorage;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;

/**
 * The {@code data.*} keys of a job configuration: where the images come from ({@code data.source}: the embedded
 * MNIST digits, or any Hadoop location), which reader reads them ({@code data.format}, or detected from the
 * location), and how the readers treat unusable images ({@code data.on_invalid}), other sizes (always resized to
 * {@code data.image_size}) and other channel counts ({@code data.convert_channels}). Every key is checked when the
 * recipe is built; the location is only touched by {@link #load()}.
 */
public final class DataSource {
    /** The readers a source can go through. */
    public enum Format { EMBEDDED, IDX, FOLDER, PARQUET }

    /**
     * What a load gave: the images, a description for the log, and the images skipped under
     * {@code data.on_invalid = skip} (count, and the first {@link SkippedImages#MAX_REPORTED} reasons).
     */
    public record Loaded(LabeledImages data, String description, int skipped, List<String> skippedExamples) {
        public Loaded {
            skippedExamples = List.copyOf(skippedExamples);
        }

        public Loaded withData(LabeledImages d) {
            return new Loaded(d, description, skipped, skippedExamples);
        }
    }

    static final String EMBEDDED = "mnist-embedded";
    private final String source;
    private final String format;
    private final String labels;
    private final int channels;
    private final int size;
    private final OnInvalid onInvalid;
    private final boolean convertChannels;
    private final String imageColumn;
    private final String labelColumn;
    private final double pixelMax;

    /** Reads and checks the data keys; {@code channels} is what the model takes (model.image_channels). */
    public DataSource(Config c, int channels) {
        this.source = c.getString("data.source").trim();
        this.format = c.getString("data.format").trim().toLowerCase(Locale.ROOT);
        this.labels = c.getString("data.labels").trim();
        this.channels = channels;
        this.size = c.getInt("data.image_size");
        this.convertChannels = c.getBoolean("data.convert_channels");
        this.imageColumn = c.getString("data.parquet.image_column");
        this.labelColumn = c.getString("data.parquet.label_column");
        this.pixelMax = c.getDouble("data.parquet.pixel_max");
        if (source.isEmpty()) {
            throw new IllegalArgumentException("data.source must be \"" + EMBEDDED + "\" or a location, got \"\"");
        }
        if (!List.of("auto", "idx", "folder", "parquet").contains(format)) {
            throw new IllegalArgumentException("data.format must be auto, idx, folder or parquet, got "
                    + c.getString("data.format"));
        }
        if (source.equals(EMBEDDED) && !format.equals("auto")) {
            throw new IllegalArgumentException("data.format = " + format + " does not apply to data.source = "
                    + EMBEDDED + " (leave data.format = auto)");
        }
        String policy = c.getString("data.on_invalid").trim().toLowerCase(Locale.ROOT);
        if (!policy.equals("error") && !policy.equals("skip")) {
            throw new IllegalArgumentException("data.on_invalid must be error or skip, got " + c.getString("data.on_invalid"));
        }
        this.onInvalid = policy.equals("skip") ? OnInvalid.SKIP : OnInvalid.ERROR;
        if (size < 1 || size > 1 << 14) {
            throw new IllegalArgumentException("data.image_size must be in [1, 16384], got " + size);
        }
        if (!(pixelMax > 0) || Double.isInfinite(pixelMax)) {
            throw new IllegalArgumentException("data.parquet.pixel_max must be > 0 (255 or 1), got " + pixelMax);
        }
        if (imageColumn.isBlank() || labelColumn.isBlank()) {
            throw new IllegalArgumentException("data.parquet.image_column and data.parquet.label_column must name "
                    + "columns, got '" + imageColumn + "' and '" + labelColumn + "'");
        }
    }

    /** Whether grey may be replicated to RGB (and RGB turned grey) to match the model. */
    public boolean convertChannels() {
        return convertChannels;
    }

    /** Reads the source with its reader. */
    public Loaded load() throws IOException {
        return switch (format()) {
            case EMBEDDED -> new Loaded(MnistEmbedded.load(), "the embedded MNIST digits", 0, List.of());
            case IDX -> {
                if (labels.isEmpty()) {
                    throw new IllegalArgumentException("data.source = " + source
                            + " is an IDX images file and needs data.labels (the IDX labels file)");
                }
                LabeledImages d = IdxReader.read(new HadoopStorage(source), "", new HadoopStorage(labels), "");
                yield new Loaded(d, "IDX " + source + " (labels " + labels + ")", 0, List.of());
            }
            case FOLDER -> {
                ImageFolder f = ImageFolderReader.read(new HadoopStorage(source), "", imageOptions());
                yield new Loaded(f.data(), "image folder " + source + " (classes " + String.join(", ", f.classNames())
                        + ")", f.skipped(), f.skippedFiles());
            }
            case PARQUET -> {
                ParquetImages p = ParquetImageReader.read(source,
                        new ParquetImageReader.Options(imageColumn, labelColumn, pixelMax, imageOptions()));
                yield new Loaded(p.data(), "Parquet " + source + " (" + p.files().size() + " file(s))", p.skipped(),
                        p.skippedRows());
            }
        };
    }

    /**
     * {@code data.format}, or for {@code auto}: the embedded digits for {@value #EMBEDDED}; a directory holding
     * {@code *.parquet} files → Parquet, any other directory → image folder; a {@code *.parquet} file → Parquet; a
     * file whose name contains {@code idx} or {@code ubyte} → IDX.
     */
    public Format format() throws IOException {
        if (source.equals(EMBEDDED)) {
            return Format.EMBEDDED;
        }
        if (!format.equals("auto")) {
            return Format.valueOf(format.toUpperCase(Locale.ROOT));
        }
        HadoopStorage s = new HadoopStorage(source);
        if (!s.exists("")) {
            throw new NoSuchFileException(source, null, "data.source does not exist");
        }
        if (s.isDirectory("")) {
            return s.list("").stream().anyMatch(n -> n.endsWith(".parquet") && !n.startsWith("."))
                    ? Format.PARQUET : Format.FOLDER;
        }
        String name = HadoopFiles.path(source).getName().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return Format.PARQUET;
        }
        if (name.contains("idx") || name.contains("ubyte")) {
            return Format.IDX;
        }
        throw new IllegalArgumentException("data.source = " + source + ": cannot tell the format from the name "
                + "(neither *.parquet nor an IDX name containing 'idx' or 'ubyte'); set data.format to idx, folder "
                + "or parquet");
    }

    private ImageOptions imageOptions() {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("model.image_channels = " + channels
                    + ": image folders and Parquet images give 1 (grey) or 3 (RGB) channels");
        }
        return new ImageOptions(channels, size, size, true, convertChannels, onInvalid);
    }
}
