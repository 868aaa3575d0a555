package org.diffusionlabs.jobs.data;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.data.OnInvalid;
import org.diffusionlabs.testing.FaultFigures;
import org.diffusionlabs.testing.JpegFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.diffusionlabs.jobs.data.ParquetFixtures.greyPng;
import static org.diffusionlabs.jobs.data.ParquetFixtures.rgbImage;
import static org.diffusionlabs.jobs.data.ParquetFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every image encoding the Parquet reader takes, its invalid-row policy, and its errors for bad files and columns. */
class ParquetImageReaderTest {
    private static final String BYTES = "message m { required binary image; optional int32 label; }";
    private static final String FLOAT_LIST = "message m { optional group image (LIST) { repeated group list { "
            + "optional float element; } } required int32 label; }";
    private static final String SPARK_IMAGE = "message spark_schema { optional group image { optional binary origin "
            + "(STRING); optional int32 height; optional int32 width; optional int32 nChannels; optional int32 mode; "
            + "optional binary data; } optional int32 label; }";

    @TempDir
    Path dir;

    private static ParquetImageReader.Options options(ImageOptions image) {
        return new ParquetImageReader.Options("image", "label", 255, image);
    }

    private static Consumer<Group> bytesRow(byte[] image, Integer label) {
        return g -> {
            g.add("image", Binary.fromConstantByteArray(image));
            if (label != null) {
                g.add("label", label);
            }
        };
    }

    private static Consumer<Group> floatRow(int label, float... values) {
        return g -> {
            Group list = g.addGroup("image");
            for (float v : values) {
                list.addGroup("list").append("element", v);
            }
            g.add("label", label);
        };
    }

    private static Consumer<Group> sparkRow(int h, int w, int n, int mode, byte[] data, int label) {
        return g -> {
            g.addGroup("image").append("origin", "x").append("height", h).append("width", w).append("nChannels", n)
                    .append("mode", mode).append("data", Binary.fromConstantByteArray(data));
            g.add("label", label);
        };
    }

    /** Rows: a 4×4 grey PNG (label 3), corrupt bytes (label 1), an 8×8 grey PNG (label 2), a null label. */
    private Path encoded() throws IOException {
        return write(dir.resolve("bytes.parquet"), BYTES, bytesRow(greyPng(4, 4, 0), 3),
                bytesRow(new byte[] {1, 2, 3, 4}, 1), bytesRow(greyPng(8, 8, 100), 2), bytesRow(greyPng(4, 4, 0), null));
    }

    @Test
    void encodedBytesAreDecodedAndResizedCorruptRowsCountedAndSkipped() throws IOException {
        Path file = encoded();
        ParquetImages p = ParquetImageReader.read(file.toUri().toString(),
                options(ImageOptions.grey(4, 4).withResize(true).withOnInvalid(OnInvalid.SKIP)));
        assertArrayEquals(new int[] {3, 2}, p.data().labels());
        assertArrayEquals(new long[] {2, 1, 4, 4}, p.data().images().shape());
        assertEquals(23 / 255f, p.data().images().getFloat(0, 0, 2, 3), 1e-7f);
        assertEquals(2, p.skipped());
        assertTrue(p.skippedRows().get(0).contains("bytes.parquet row 1: not a decodable image"), p.skippedRows().toString());
        assertTrue(p.skippedRows().get(1).contains("row 3: label is null"), p.skippedRows().toString());
        assertEquals(1, p.files().size());
    }

    @Test
    void corruptRowsAreAnErrorNamingFileAndRow() throws IOException {
        Path file = encoded();
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ParquetImageReader.read(file.toString(), options(ImageOptions.grey(4, 4).withResize(true))));
        assertTrue(e.file().endsWith("bytes.parquet"), e.file());
        assertEquals(1, e.row());
        assertTrue(e.getMessage().contains("bytes.parquet row 1"), e.getMessage());
        Path sizes = write(dir.resolve("sizes.parquet"), BYTES, bytesRow(greyPng(4, 4, 0), 3),
                bytesRow(greyPng(8, 8, 0), 2));
        InvalidImageException size = assertThrows(InvalidImageException.class,
                () -> ParquetImageReader.read(sizes.toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(size.getMessage().contains("sizes.parquet row 1: image size 8x8") && size.getMessage().contains("expected 4x4"),
                size.getMessage());
    }

    @Test
    void numberListsInEachLayoutAndRange() throws IOException {
        Path floats = write(dir.resolve("floats.parquet"), FLOAT_LIST, floatRow(4, 0f, 0.5f, 1f, 0.25f),
                floatRow(5, 0f, 0.5f, 2f, 0.25f), floatRow(6, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f));
        ParquetImages p = ParquetImageReader.read(floats.toString(), new ParquetImageReader.Options("image", "label", 1,
                ImageOptions.grey(2, 2).withOnInvalid(OnInvalid.SKIP)));
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.25f}, p.data().images().data().asFloat());
        assertEquals(2, p.skipped());
        assertTrue(p.skippedRows().get(0).contains("row 1: value 2.0 at index 2 is outside [0, 1.0]"), p.skippedRows().toString());
        assertTrue(p.skippedRows().get(1).contains("row 2: list of 5 numbers is not a square image"), p.skippedRows().toString());

        Path ints = write(dir.resolve("ints.parquet"), "message m { repeated int32 image; required int64 label; }",
                g -> {
                    for (int v : new int[] {0, 51, 255, 102}) {
                        g.add("image", v);
                    }
                    g.add("label", 7L);
                });
        ParquetImages i = ParquetImageReader.read(ints.toString(), options(ImageOptions.grey(2, 2)));
        assertArrayEquals(new float[] {0f, 0.2f, 1f, 0.4f}, i.data().images().data().asFloat(), 1e-7f);
        assertArrayEquals(new int[] {7}, i.data().labels());

        Path doubles = write(dir.resolve("doubles.parquet"),
                "message m { optional group image (LIST) { repeated double array; } required int32 label; }", g -> {
                    Group list = g.addGroup("image");
                    for (int k = 0; k < 12; k++) {
                        list.add("array", k < 4 ? 255.0 : 0.0);             // red plane white, green and blue black
                    }
                    g.add("label", 1);
                });
        ParquetImages rgb = ParquetImageReader.read(doubles.toString(), options(ImageOptions.rgb(2, 2)));
        INDArray x = rgb.data().images();
        assertArrayEquals(new long[] {1, 3, 2, 2}, x.shape());
        assertEquals(1f, x.getFloat(0, 0, 1, 1));
        assertEquals(0f, x.getFloat(0, 1, 1, 1));
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ParquetImageReader.read(
                doubles.toString(), options(ImageOptions.grey(2, 2).withConvertColor(false))));
        assertTrue(e.getMessage().contains("doubles.parquet row 0") && e.getMessage().contains("3 channel(s) but 1 expected"),
                e.getMessage());
    }

    @Test
    void sparkImageStructsAreBgrAndChecked() throws IOException {
        byte[] bgr = new byte[12];
        for (int p = 0; p < 4; p++) {
            bgr[3 * p] = 10;                 // B
            bgr[3 * p + 1] = 20;             // G
            bgr[3 * p + 2] = (byte) 200;     // R
        }
        Path file = write(dir.resolve("spark.parquet"), SPARK_IMAGE, sparkRow(2, 2, 3, 16, bgr, 8),
                sparkRow(2, 2, 1, 0, new byte[] {0, 51, 102, (byte) 255}, 9), sparkRow(2, 2, 3, 0, bgr, 1),
                sparkRow(2, 2, 3, 16, new byte[5], 1));
        ParquetImages p = ParquetImageReader.read(file.toString(), options(ImageOptions.rgb(2, 2).withOnInvalid(OnInvalid.SKIP)));
        INDArray x = p.data().images();
        assertEquals(200 / 255f, x.getFloat(0, 0, 0, 0), 1e-7f);
        assertEquals(20 / 255f, x.getFloat(0, 1, 0, 0), 1e-7f);
        assertEquals(10 / 255f, x.getFloat(0, 2, 0, 0), 1e-7f);
        assertEquals(0.4f, x.getFloat(1, 2, 1, 0), 1e-7f);                 // grey replicated to RGB
        assertArrayEquals(new int[] {8, 9}, p.data().labels());
        assertEquals(2, p.skipped());
        assertTrue(p.skippedRows().get(0).contains("row 2: Spark image struct has mode 0 but nChannels 3"), p.skippedRows().toString());
        assertTrue(p.skippedRows().get(1).contains("row 3: Spark image struct data has 5 bytes"), p.skippedRows().toString());
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ParquetImageReader.read(
                file.toString(), options(ImageOptions.grey(2, 2).withConvertColor(false))));
        assertTrue(e.getMessage().contains("spark.parquet row 0") && e.getMessage().contains("1 expected"), e.getMessage());
    }

    @Test
    void structsWithBytesHoldEncodedImages() throws IOException {
        Path file = write(dir.resolve("hf.parquet"), "message m { optional group image { optional binary bytes; "
                + "optional binary path (STRING); } optional int64 label; }", g -> {
                    g.addGroup("image").append("bytes", Binary.fromConstantByteArray(rgbImage(3, 3, 0x808080, "jpeg")))
                            .append("path", "a.jpg");
                    g.add("label", 0L);
                });
        ParquetImages p = ParquetImageReader.read(file.toString(), options(ImageOptions.grey(3, 3)));
        assertEquals(128 / 255f, p.data().images().getFloat(0, 0, 1, 1), 3 / 255f);
    }

    /** A CMYK JPEG (foreign ICC profile: the JDK reader refuses it) decodes; one cut in its header is skipped. */
    @Test
    void cmykJpegsDecodeAndTruncatedOnesAreSkipped() throws IOException {
        byte[] whole = JpegFixtures.jpeg(JpegFixtures.quadrants(4, 4), false);
        Path file = write(dir.resolve("jpegs.parquet"), "message m { required binary image; required int32 label; }",
                g -> g.append("image", Binary.fromConstantByteArray(JpegFixtures.cmyk(4, 4, 255, 0, 0, 0, true)))
                        .append("label", 1),
                g -> g.append("image", Binary.fromConstantByteArray(JpegFixtures.truncated(whole, 5)))
                        .append("label", 2));
        ParquetImages p = ParquetImageReader.read(file.toString(), options(ImageOptions.rgb(4, 4)
                .withOnInvalid(OnInvalid.SKIP)));
        assertArrayEquals(new int[] {1}, p.data().labels());
        assertEquals(0f, p.data().images().getFloat(0, 0, 1, 1), 3 / 255f);
        assertEquals(1f, p.data().images().getFloat(0, 1, 1, 1), 3 / 255f);
        assertEquals(1f, p.data().images().getFloat(0, 2, 1, 1), 3 / 255f);
        assertEquals(1, p.skipped());
        assertTrue(p.skippedRows().get(0).contains("jpegs.parquet row 1"), p.skippedRows().toString());
    }

    @Tag("fault")
    @Test
    void badColumnNamesAndTypesNameTheColumnAndTheColumnsPresent() throws IOException {
        Path file = encoded();
        IllegalArgumentException image = assertThrows(IllegalArgumentException.class, () -> ParquetImageReader.read(
                file.toString(), new ParquetImageReader.Options("img", "label", 255, ImageOptions.grey(4, 4))));
        assertTrue(image.getMessage().contains("no image column 'img'") && image.getMessage().contains("[image, label]")
                && image.getMessage().contains("bytes.parquet"), image.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> ParquetImageReader.read(
                file.toString(), new ParquetImageReader.Options("image", "digit", 255, ImageOptions.grey(4, 4))));
        assertTrue(label.getMessage().contains("no label column 'digit'") && label.getMessage().contains("[image, label]"),
                label.getMessage());
        Path strings = write(dir.resolve("strings.parquet"), "message m { required binary image; required binary label (STRING); }",
                g -> g.append("image", Binary.fromConstantByteArray(greyPng(4, 4, 0))).append("label", "cat"));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> ParquetImageReader.read(strings.toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(type.getMessage().contains("label column 'label'") && type.getMessage().contains("int32 or int64"),
                type.getMessage());
        Path bools = write(dir.resolve("bools.parquet"), "message m { repeated boolean image; required int32 label; }",
                g -> g.append("image", true).append("label", 1));
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class,
                () -> ParquetImageReader.read(bools.toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(list.getMessage().contains("image column 'image'") && list.getMessage().contains("boolean"),
                list.getMessage());
        FaultFigures.record("schema-errors", "schema errors (Parquet: missing image column, missing label column, "
                        + "string labels, boolean images)", "ParquetImageReaderTest.badColumnNamesAndTypesNameTheColumnAndTheColumnsPresent",
                "4 injected, 4 refused before any row is read, each naming the column (and the columns present)");
    }

    @Test
    void directoriesReadTheirPartFilesInOrderAndBadLocationsAreNamed() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        write(out.resolve("part-1.parquet"), BYTES, bytesRow(greyPng(4, 4, 0), 1));
        write(out.resolve("part-0.parquet"), BYTES, bytesRow(greyPng(4, 4, 0), 0), bytesRow(greyPng(4, 4, 0), 5));
        Files.writeString(out.resolve("_SUCCESS"), "");
        ParquetImages p = ParquetImageReader.read(out.toString(), options(ImageOptions.grey(4, 4)));
        assertArrayEquals(new int[] {0, 5, 1}, p.data().labels());
        assertEquals(List.of("part-0.parquet", "part-1.parquet"),
                p.files().stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList());

        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> ParquetImageReader.read(dir.resolve("nope.parquet").toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(missing.getMessage().contains("nope.parquet"), missing.getMessage());
        Path junk = Files.write(dir.resolve("junk.parquet"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
        IOException notParquet = assertThrows(IOException.class,
                () -> ParquetImageReader.read(junk.toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(notParquet.getMessage().contains("junk.parquet") && notParquet.getMessage().contains("not a readable Parquet"),
                notParquet.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException none = assertThrows(IOException.class,
                () -> ParquetImageReader.read(empty.toString(), options(ImageOptions.grey(4, 4))));
        assertTrue(none.getMessage().contains("no *.parquet file"), none.getMessage());
    }
}
