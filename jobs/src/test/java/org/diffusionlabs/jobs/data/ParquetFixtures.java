package org.diffusionlabs.jobs.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Small Parquet files written in the tests themselves with parquet-hadoop's example writer (no binary fixtures). */
public final class ParquetFixtures {
    private ParquetFixtures() {}

    /** Writes one row per filler (each fills a fresh group of the schema) to {@code file}. */
    @SafeVarargs
    public static Path write(Path file, String schema, Consumer<Group>... rows) throws IOException {
        List<Consumer<Group>> list = new ArrayList<>();
        for (Consumer<Group> r : rows) {
            list.add(r);
        }
        return write(file, schema, list);
    }

    /** {@link #write(Path, String, Consumer[])} with the rows as a list. */
    public static Path write(Path file, String schema, List<Consumer<Group>> rows) throws IOException {
        MessageType type = MessageTypeParser.parseMessageType(schema);
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(file.toUri());
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(target, new Configuration()))
                .withType(type).build()) {
            for (Consumer<Group> r : rows) {
                Group g = groups.newGroup();
                r.accept(g);
                w.write(g);
            }
        }
        return file;
    }

    /** A {@code w × h} grey PNG whose pixel (x, y) is {@code base + 10·y + x}. */
    public static byte[] greyPng(int w, int h, int base) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, base + 10 * y + x);
            }
        }
        return encode(img, "png");
    }

    /** A {@code w × h} RGB image of one colour, encoded as {@code format} (png or jpeg). */
    public static byte[] rgbImage(int w, int h, int rgb, String format) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return encode(img, format);
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
