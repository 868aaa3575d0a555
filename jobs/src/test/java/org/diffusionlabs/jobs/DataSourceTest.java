package org.diffusionlabs.jobs;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.diffusionlabs.data.InvalidImageException;
import org.diffusionlabs.jobs.data.DataSource;
import org.diffusionlabs.jobs.data.ParquetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.diffusionlabs.jobs.data.ParquetFixtures.greyPng;
import static org.diffusionlabs.jobs.data.ParquetFixtures.rgbImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data.* keys of a job: format detection, each reader through the recipe, and the errors they name. */
class DataSourceTest {
    @TempDir
    Path dir;

    private static TrainRecipe recipe(String... overrides) {
        List<String> all = new ArrayList<>(List.of("data.held_out_fraction=0.34", "data.image_size=4"));
        all.addAll(List.of(overrides));
        return new TrainRecipe(JobConfigs.load("mnist.conf", null, all));
    }

    private static String source(Path p) {
        return "data.source=\"" + p + "\"";
    }

    /** root/0 and root/1, three 6×6 grey PNGs each, plus {@code extra} files written as given. */
    private Path folder(String name) throws IOException {
        Path root = dir.resolve(name);
        for (int label = 0; label < 2; label++) {
            Path d = Files.createDirectories(root.resolve(String.valueOf(label)));
            for (int i = 0; i < 3; i++) {
                Files.write(d.resolve(i + ".png"), greyPng(6, 6, 50 * label + i));
            }
        }
        return root;
    }

    private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(magic);
        for (int x : dims) {
            d.writeInt(x);
        }
        d.write(data);
        return b.toByteArray();
    }

    @Test
    void formatIsDetectedFromTheLocationOrGiven() throws IOException {
        Path images = folder("images");
        Path parquetDir = Files.createDirectories(dir.resolve("table"));
        ParquetFixtures.write(parquetDir.resolve("part-0.parquet"),
                "message m { required binary image; required int32 label; }",
                g -> g.append("image", Binary.fromConstantByteArray(greyPng(4, 4, 0))).append("label", 1));
        Path idx = Files.write(dir.resolve("train-images-idx3-ubyte"), new byte[4]);
        Path other = Files.write(dir.resolve("data.bin"), new byte[4]);
        assertEquals(DataSource.Format.EMBEDDED, recipe().data.format());
        assertEquals(DataSource.Format.FOLDER, recipe(source(images)).data.format());
        assertEquals(DataSource.Format.PARQUET, recipe(source(parquetDir)).data.format());
        assertEquals(DataSource.Format.PARQUET, recipe(source(parquetDir.resolve("part-0.parquet"))).data.format());
        assertEquals(DataSource.Format.IDX, recipe(source(idx)).data.format());
        assertEquals(DataSource.Format.FOLDER, recipe(source(parquetDir), "data.format=folder").data.format());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> recipe(source(other)).data.format());
        assertTrue(unknown.getMessage().contains("data.bin") && unknown.getMessage().contains("data.format"),
                unknown.getMessage());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> recipe(source(dir.resolve("nowhere"))).data.format());
        assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
    }

    @Test
    void badDataKeysAreNamed() {
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> recipe("data.format=tiff"));
        assertTrue(format.getMessage().contains("data.format") && format.getMessage().contains("tiff"), format.getMessage());
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> recipe("data.on_invalid=ignore"));
        assertTrue(policy.getMessage().contains("data.on_invalid") && policy.getMessage().contains("ignore"),
                policy.getMessage());
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> recipe("data.parquet.pixel_max=0"));
        assertTrue(max.getMessage().contains("data.parquet.pixel_max"), max.getMessage());
    }

    @Test
    void folderCorruptImagesAreSkippedAndCountedOrAnErrorNamingTheFile() throws IOException {
        Path images = folder("images");
        Files.write(images.resolve("1").resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        DataSource.Loaded loaded = recipe(source(images), "data.on_invalid=skip").trainingData();
        assertEquals(1, loaded.skipped());
        assertTrue(loaded.skippedExamples().get(0).contains("bad.png"), loaded.skippedExamples().toString());
        assertTrue(loaded.description().contains("classes 0, 1"), loaded.description());
        assertArrayEquals(new long[] {4, 1, 4, 4}, loaded.data().images().shape());      // 6 images, 2 held out, 6x6 → 4x4
        assertTrue(loaded.data().images().minNumber().doubleValue() >= -1
                && loaded.data().images().maxNumber().doubleValue() <= 1);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> recipe(source(images)).trainingData());
        InvalidImageException cause = assertInstanceOf(InvalidImageException.class, e.getCause());
        assertTrue(cause.file().endsWith("bad.png") && e.getMessage().contains("bad.png"), e.getMessage());
    }

    @Test
    void wrongChannelsAreAnErrorNamingTheFileUnlessConversionIsAsked() throws IOException {
        Path images = folder("images");
        Files.write(images.resolve("0").resolve("colour.png"), rgbImage(6, 6, 0xFF0000, "png"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> recipe(source(images)).trainingData());
        assertTrue(e.getMessage().contains("colour.png") && e.getMessage().contains("1 channel(s) expected"),
                e.getMessage());
        DataSource.Loaded converted = recipe(source(images), "data.convert_channels=true").trainingData();
        assertEquals(0, converted.skipped());
        assertEquals(5, converted.data().size());                                      // 7 images, 2 held out
    }

    @Test
    void idxFilesThroughHadoopAndGreyReplicatedForRgbModelsWhenAsked() throws IOException {
        byte[] px = new byte[6 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (10 * i);
        }
        Path images = Files.write(dir.resolve("t-images-idx3-ubyte"), idx(0x803, new int[] {6, 2, 2}, px));
        Path labels = Files.write(dir.resolve("t-labels-idx1-ubyte"), idx(0x801, new int[] {6}, new byte[] {0, 0, 0, 1, 1, 1}));
        String uri = "data.source=\"" + images.toUri() + "\"";
        String labelsKey = "data.labels=\"" + labels.toUri() + "\"";
        DataSource.Loaded grey = recipe(uri, labelsKey).trainingData();
        assertArrayEquals(new long[] {4, 1, 4, 4}, grey.data().images().shape());
        IllegalArgumentException rgb = assertThrows(IllegalArgumentException.class,
                () -> recipe(uri, labelsKey, "model.image_channels=3").trainingData());
        assertTrue(rgb.getMessage().contains("1 channel(s) but model.image_channels = 3")
                && rgb.getMessage().contains("data.convert_channels"), rgb.getMessage());
        DataSource.Loaded replicated = recipe(uri, labelsKey, "model.image_channels=3", "data.convert_channels=true")
                .trainingData();
        assertArrayEquals(new long[] {4, 3, 4, 4}, replicated.data().images().shape());
        assertEquals(replicated.data().images().getFloat(1, 0, 2, 1), replicated.data().images().getFloat(1, 2, 2, 1));
        IllegalArgumentException noLabels = assertThrows(IllegalArgumentException.class, () -> recipe(uri).trainingData());
        assertTrue(noLabels.getMessage().contains("data.labels"), noLabels.getMessage());
        UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                () -> recipe(uri, "data.labels=\"" + dir.resolve("gone-idx1") + "\"").trainingData());
        assertTrue(missing.getMessage().contains("gone-idx1"), missing.getMessage());
    }

    @Test
    void parquetLabelsBeyondTheModelsClassesAreNamed() throws IOException {
        List<Consumer<Group>> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int label = i < 3 ? 2 : 12;
            rows.add(g -> g.append("image", Binary.fromConstantByteArray(greyPng(4, 4, 0))).append("label", label));
        }
        Path file = ParquetFixtures.write(dir.resolve("digits.parquet"),
                "message m { required binary image; required int32 label; }", rows);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> recipe(source(file)).trainingData());
        assertTrue(e.getMessage().contains("label 12") && e.getMessage().contains("digits.parquet"), e.getMessage());
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> recipe(source(file), "data.parquet.image_column=png").trainingData());
        assertTrue(column.getMessage().contains("'png'") && column.getMessage().contains("[image, label]"),
                column.getMessage());
    }
}
