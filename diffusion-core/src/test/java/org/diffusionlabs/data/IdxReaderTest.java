package org.diffusionlabs.data;

import org.diffusionlabs.data.MalformedIdxException.Reason;
import org.diffusionlabs.io.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.diffusionlabs.data.MnistEmbeddedTest.gzip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IdxReaderTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    /** IDX header (magic 0x0000 type dims, then u32 BE dims) followed by {@code data}. */
    static byte[] idx(int type, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt((type << 8) | dims.length);
        for (int x : dims) {
            d.writeInt(x);
        }
        d.write(data);
        return b.toByteArray();
    }

    /** Three 2×3 images with pixel values 10·i + j, labels 7, 0, 255. */
    private static byte[] images() throws IOException {
        byte[] px = new byte[18];
        for (int i = 0; i < 18; i++) {
            px[i] = (byte) (10 * (i / 6) + i % 6);
        }
        px[17] = (byte) 255;
        return idx(8, new int[] {3, 2, 3}, px);
    }

    private static byte[] labels() throws IOException {
        return idx(8, new int[] {3}, new byte[] {7, 0, (byte) 255});
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsPlainAndGzipFilesAndStreams() throws IOException {
        LabeledImages plain = IdxReader.read(write("i", images()), write("l", labels()));
        LabeledImages gz = IdxReader.read(write("i.gz", gzip(images())), write("l.gz", gzip(labels())));
        LabeledImages stream = IdxReader.read(new ByteArrayInputStream(gzip(images())), "imgs",
                new ByteArrayInputStream(labels()), "labs");
        for (LabeledImages d : new LabeledImages[] {plain, gz, stream}) {
            assertArrayEquals(new long[] {3, 1, 2, 3}, d.images().shape());
            assertArrayEquals(new int[] {7, 0, 255}, d.labels());
            INDArray x = d.images();
            assertEquals(0f, x.getFloat(0, 0, 0, 0));
            assertEquals(5 / 255f, x.getFloat(0, 0, 1, 2), 1e-7);
            assertEquals(12 / 255f, x.getFloat(1, 0, 0, 2), 1e-7);
            assertEquals(1f, x.getFloat(2, 0, 1, 2), 1e-7);
        }
    }

    @Test
    void rejectsBadHeaders() throws IOException {
        assertReason(Reason.BAD_MAGIC, idx(8, new int[] {3}, new byte[3]), true, "0x00000801");
        assertReason(Reason.BAD_MAGIC, MnistEmbeddedTest.concat(new byte[] {1, 0}, Arrays.copyOfRange(images(), 2, 34)),
                true, "0x01000803");
        assertReason(Reason.UNSUPPORTED_TYPE, idx(0x0D, new int[] {1, 1, 1}, new byte[4]), true, "0x00000d03");
        assertReason(Reason.BAD_DIMENSIONS, idx(8, new int[] {0, 28, 28}, new byte[0]), true, "dimension 0 is 0");
        assertReason(Reason.BAD_DIMENSIONS, idx(8, new int[] {1, 1 << 15, 1}, new byte[0]), true, "exceeds the cap");
        // Hostile: 2^32−1 × 2^14 × 2^14 elements are refused from the header alone.
        assertReason(Reason.BAD_DIMENSIONS, idx(8, new int[] {-1, 1 << 14, 1 << 14}, new byte[0]), true, "elements");
        assertReason(Reason.TRUNCATED, new byte[] {0, 0}, true, "fewer than 4 bytes");
        assertReason(Reason.TRUNCATED, Arrays.copyOf(images(), 10), true, "header ends");
    }

    @Test
    void hostileSizesFailWithoutAllocatingTheDeclaredData() throws IOException {
        // 1,000,000 × 28 × 28 = 784 MB declared (under the 1 GiB cap), 10 bytes present: plain files fail on the
        // length check, gzip streams after reading what is there (IdxBoundsTest has larger declared sizes).
        byte[] hostile = idx(8, new int[] {1_000_000, 28, 28}, new byte[10]);
        MalformedIdxException e = assertThrows(MalformedIdxException.class,
                () -> IdxReader.readImages(write("hostile", hostile)));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("784000016") && e.getMessage().contains("hostile"), e.getMessage());
        e = assertThrows(MalformedIdxException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(gzip(hostile)), "hostile.gz"));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("after 10 of 784000000"), e.getMessage());
    }

    @Test
    void rejectsTruncationTrailingBytesCountMismatchAndBadGzip() throws IOException {
        byte[] img = images();
        assertReason(Reason.TRUNCATED, Arrays.copyOf(img, img.length - 1), true, "header declares 34 bytes");
        assertReason(Reason.SIZE_MISMATCH, Arrays.copyOf(img, img.length + 1), true, "file has 35");
        MalformedIdxException e = assertThrows(MalformedIdxException.class,
                () -> IdxReader.readImages(new ByteArrayInputStream(gzip(Arrays.copyOf(img, img.length + 2))), "s"));
        assertEquals(Reason.SIZE_MISMATCH, e.reason());
        byte[] gz = gzip(img);
        e = assertThrows(MalformedIdxException.class,
                () -> IdxReader.readImages(write("cut.gz", Arrays.copyOf(gz, gz.length - 12))));
        assertEquals(Reason.TRUNCATED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("cut.gz"), e.getMessage());
        byte[] garbage = gz.clone();
        Arrays.fill(garbage, 10, garbage.length, (byte) 0x5A);
        e = assertThrows(MalformedIdxException.class, () -> IdxReader.readImages(write("garbage.gz", garbage)));
        // Garbage deflate data may inflate to garbage (then the magic check fails) or fail to inflate.
        assertTrue(e.getMessage().contains("garbage.gz"), e.getMessage());
        byte[] crc = gz.clone();
        crc[crc.length - 6] ^= 0x01; // CRC-32 of the gzip trailer
        e = assertThrows(MalformedIdxException.class, () -> IdxReader.readImages(write("crc.gz", crc)));
        assertEquals(Reason.BAD_GZIP, e.reason(), e.getMessage());
        Path two = write("two-labels", idx(8, new int[] {2}, new byte[2]));
        e = assertThrows(MalformedIdxException.class, () -> IdxReader.read(write("imgs", img), two));
        assertEquals(Reason.COUNT_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("two-labels has 2 labels") && e.getMessage().contains("3 images"), e.getMessage());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> IdxReader.readImages(dir.resolve("nope.gz")));
        assertTrue(missing.getMessage().contains("nope.gz"));
    }

    @Test
    void readsThroughAStorageAndNamesMissingFilesWithTheirLocation() throws IOException {
        write("i.gz", gzip(images()));
        write("l", labels());
        LocalStorage storage = new LocalStorage(dir);
        LabeledImages d = IdxReader.read(storage, "i.gz", storage, "l");
        assertArrayEquals(new int[] {7, 0, 255}, d.labels());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> IdxReader.read(storage, "i.gz", storage, "no-labels"));
        assertTrue(missing.getMessage().contains(dir.resolve("no-labels").toString()), missing.getMessage());
        Files.createDirectories(dir.resolve("sub"));
        NoSuchFileException folder = assertThrows(NoSuchFileException.class, () -> IdxReader.readImages(storage, "sub"));
        assertTrue(folder.getMessage().contains("directory"), folder.getMessage());
    }

    private void assertReason(Reason reason, byte[] imageFile, boolean alsoGzip, String part) throws IOException {
        Path p = write("bad-" + reason, imageFile);
        MalformedIdxException e = assertThrows(MalformedIdxException.class, () -> IdxReader.readImages(p));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(p.toString()), e.getMessage());
        if (alsoGzip) {
            e = assertThrows(MalformedIdxException.class,
                    () -> IdxReader.readImages(new ByteArrayInputStream(gzip(imageFile)), "stream.gz"));
            assertTrue(e.getMessage().contains("stream.gz"), e.getMessage());
        }
    }

    @Test
    void readsDebiansFashionMnistWhenInstalled() throws IOException {
        Path images = FASHION.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = FASHION.resolve("t10k-labels-idx1-ubyte.gz");
        assumeTrue(Files.isReadable(images) && Files.isReadable(labels),
                "apt-get install dataset-fashion-mnist to run this test");
        LabeledImages test = IdxReader.read(images, labels);
        assertArrayEquals(new long[] {10_000, 1, 28, 28}, test.images().shape());
        int[] tenThousand = new int[10];
        Arrays.fill(tenThousand, 1000);
        assertArrayEquals(tenThousand, test.countsPerLabel());
        assertTrue(test.images().minNumber().doubleValue() >= 0 && test.images().maxNumber().doubleValue() == 1.0);
        LabeledImages train = IdxReader.read(FASHION.resolve("train-images-idx3-ubyte.gz"),
                FASHION.resolve("train-labels-idx1-ubyte.gz"));
        assertEquals(60_000, train.size());
        assertEquals(6000, train.countsPerLabel()[9]);
    }
}
