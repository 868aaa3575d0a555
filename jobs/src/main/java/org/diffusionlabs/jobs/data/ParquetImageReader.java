package org.diffusionlabs.jobs.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.SkippedImages;
import org.diffusionlabs.nd.Checks;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads labelled images from a Parquet file, or from the {@code *.parquet} files directly under a directory (Spark's
 * output layout; {@code _SUCCESS}, {@code .crc} and other names are ignored), through Hadoop's FileSystem with
 * parquet-hadoop's example {@link Group} API. Only the image and label columns are read. The image column may hold
 * encoded PNG/JPEG bytes, a list of numbers or Spark's image struct ({@link ParquetImageColumn}); the label column
 * an int32 or int64 class ≥ 0. Rows that cannot be used (null, undecodable, wrong size or channels when resizing or
 * conversion is off, values out of range) follow {@link ImageOptions#onInvalid()}, named by file and 0-based row.
 * A missing column (the message lists the columns present), an unsupported column type, or a file that is not
 * Parquet is always an error naming the file.
 */
public final class ParquetImageReader {
    private static final String OWNER = "ParquetImageReader";

    /**
     * What to read: the image and label column names, {@code pixelMax} the value of white in number lists (255 or
     * 1), and the image shape and invalid-row policy.
     */
    public record Options(String imageColumn, String labelColumn, double pixelMax, ImageOptions image) {
        public Options {
            Checks.require(imageColumn != null && !imageColumn.isBlank(), OWNER, "imageColumn", imageColumn,
                    "must name a column");
            Checks.require(labelColumn != null && !labelColumn.isBlank(), OWNER, "labelColumn", labelColumn,
                    "must name a column");
            Checks.require(pixelMax > 0 && Double.isFinite(pixelMax), OWNER, "pixelMax", pixelMax,
                    "must be finite and > 0 (255 for 0..255 values, 1 for 0..1)");
            Checks.notNull(image, OWNER, "image");
        }
    }

    private ParquetImageReader() {}

    /**
     * Reads every row of a Parquet file or directory (any Hadoop location).
     *
     * @throws NoSuchFileException    if the location does not exist
     * @throws InvalidImageException  under {@code OnInvalid.ERROR}, naming the first unusable row
     * @throws IllegalArgumentException for a missing column or a column of an unsupported type
     * @throws IOException            for unreadable files, or when no usable row remains
     */
    public static ParquetImages read(String location, Options options) throws IOException {
        Checks.notNull(location, OWNER, "location");
        Checks.notNull(options, OWNER, "options");
        List<Path> files = files(location);
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        SkippedImages skipped = new SkippedImages(options.image().onInvalid());
        for (Path f : files) {
            readFile(f, options, images, labels, skipped);
        }
        if (images.isEmpty()) {
            throw new IOException(location + ": no usable row in " + files.size() + " Parquet file(s)"
                    + (skipped.count() > 0 ? " (" + skipped.count() + " skipped, e.g. " + skipped.examples().get(0) + ")" : ""));
        }
        ImageOptions o = options.image();
        LabeledImages data = LabeledImages.stack(images, labels.stream().mapToInt(Integer::intValue).toArray(),
                o.channels(), o.height(), o.width());
        return new ParquetImages(data, files.stream().map(Path::toString).toList(), skipped.count(), skipped.examples());
    }

    /** The file itself, or the sorted {@code *.parquet} files directly under a directory. */
    private static List<Path> files(String location) throws IOException {
        Path p = HadoopFiles.path(location);
        FileSystem fs = HadoopFiles.fs(p);
        FileStatus status;
        try {
            status = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(location, null, "no such Parquet file or directory");
        }
        if (!status.isDirectory()) {
            return List.of(status.getPath());
        }
        List<Path> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(p)) {
            String n = s.getPath().getName();
            if (s.isFile() && n.endsWith(".parquet") && !n.startsWith("_") && !n.startsWith(".")) {
                files.add(s.getPath());
            }
        }
        if (files.isEmpty()) {
            throw new IOException(location + ": no *.parquet file directly under this directory");
        }
        files.sort(Comparator.comparing(Path::getName));
        return files;
    }

    private static void readFile(Path path, Options o, List<float[]> images, List<Integer> labels,
                                 SkippedImages skipped) throws IOException {
        String file = path.toString();
        ParquetFileReader reader;
        try {
            reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, HadoopFiles.conf()));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable Parquet file (" + e.getMessage() + ")", e);
        }
        try (reader) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            requireColumn(schema, o.imageColumn(), "image", file);
            requireColumn(schema, o.labelColumn(), "label", file);
            requireLabelType(schema.getType(o.labelColumn()), file);
            ParquetImageColumn column = ParquetImageColumn.of(schema, o.imageColumn(), file, o.pixelMax());
            MessageType projection = new MessageType(schema.getName(), schema.getType(o.imageColumn()),
                    schema.getType(o.labelColumn()));
            reader.setRequestedSchema(projection);
            long row = 0;
            PageReadStore pages;
            while ((pages = nextRowGroup(reader, file, row)) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(projection)
                        .getRecordReader(pages, new GroupRecordConverter(projection));
                for (long i = 0; i < pages.getRowCount(); i++, row++) {
                    Group g = next(records, file, row);
                    try {
                        int label = label(g, o.labelColumn(), file, row);
                        images.add(column.pixels(g, file, row, o.image()));
                        labels.add(label);
                    } catch (InvalidImageException e) {
                        skipped.add(e);
                    }
                }
            }
        }
    }

    private static PageReadStore nextRowGroup(ParquetFileReader reader, String file, long row) throws IOException {
        try {
            return reader.readNextRowGroup();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read the row group starting at row " + row + ": " + e.getMessage(), e);
        }
    }

    private static Group next(RecordReader<Group> records, String file, long row) throws IOException {
        try {
            return records.read();
        } catch (RuntimeException e) {
            throw new IOException(file + " row " + row + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static void requireColumn(MessageType schema, String name, String role, String file) {
        if (!schema.containsField(name)) {
            List<String> present = schema.getFields().stream().map(Type::getName).toList();
            throw new IllegalArgumentException(file + ": no " + role + " column '" + name + "'; its columns are "
                    + present);
        }
    }

    private static void requireLabelType(Type t, String file) {
        boolean ok = t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)
                && (t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT32
                || t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64);
        if (!ok) {
            throw new IllegalArgumentException(file + ": label column '" + t.getName() + "' has type "
                    + t.toString().replaceAll("\\s+", " ").trim() + "; expected an int32 or int64 class");
        }
    }

    private static int label(Group g, String column, String file, long row) throws InvalidImageException {
        if (g.getFieldRepetitionCount(column) == 0) {
            throw new InvalidImageException(file, row, "label is null", null);
        }
        boolean int64 = g.getType().getType(column).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64;
        long v = int64 ? g.getLong(column, 0) : g.getInteger(column, 0);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new InvalidImageException(file, row, "label " + v + " is not a class index >= 0", null);
        }
        return (int) v;
    }
}
