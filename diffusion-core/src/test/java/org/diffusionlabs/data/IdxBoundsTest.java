package org.diffusionlabs.data;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.diffusionlabs.testing.Allocation;
import org.diffusionlabs.testing.GuardedInput;
import org.diffusionlabs.testing.HostileFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (4): IDX files are bounded by their declared sizes before anything is allocated. The hostile file is a
 * 2 MB gzip expanding to 2.1 GB of pixels ([2,700,000, 28, 28]: within the format's 2^31 − 1 element cap); it must
 * fail with a typed {@link MalformedIdxException} naming the file, without inflating the data.
 */
class IdxBoundsTest {
    private static final int N = 2_700_000;
    private static final long PIXELS = (long) N * 28 * 28;
    private static final long LITTLE = 64L << 20;
    private static final String CAP = "diffusion.idx.maxBytes";

    @TempDir
    Path dir;

    @AfterEach
    void clearCap() {
        System.clearProperty(CAP);
    }

    private static byte[] bomb() throws IOException {
        byte[] gz = HostileFiles.gzip(IdxReaderTest.idx(8, new int[] {N, 28, 28}, new byte[0]), PIXELS);
        assertTrue(gz.length < 3 << 20, gz.length + " bytes");
        return gz;
    }

    private static void assertTooLarge(Allocation.Measured m, String file, long declared) {
        MalformedIdxException e = assertInstanceOf(MalformedIdxException.class, m.thrown());
        assertEquals("TOO_LARGE", e.reason().name(), e.getMessage());
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(Long.toString(declared))
                && e.getMessage().contains(CAP), e.getMessage());
        assertTrue(m.bytes() < LITTLE, "allocated " + m.bytes() + " bytes to reject it");
    }

    @Test
    void gzipStreamExpandingToTwoGigabytesIsRejectedFromItsHeader() throws IOException {
        byte[] gz = bomb();
        // a reader that inflates the data pulls the whole 2 MB; the header is in the first few bytes
        Allocation.Measured m = Allocation.measure(() ->
                IdxReader.readImages(new GuardedInput(gz, 512 << 10), "bomb-images.gz"));
        assertTooLarge(m, "bomb-images.gz", PIXELS);
    }

    @Tag("fault")
    @Test
    void gzipFileExpandingToTwoGigabytesIsRejectedFromItsHeader() throws IOException {
        Path f = Files.write(dir.resolve("bomb-idx3-ubyte.gz"), bomb());
        Allocation.Measured m = Allocation.measure(() -> IdxReader.readImages(f));
        assertTooLarge(m, f.toString(), PIXELS);
        FaultFigures.record("hostile-gzip-idx", "hostile data: a gzip IDX file expanding to 2 GB",
                "IdxBoundsTest.gzipFileExpandingToTwoGigabytesIsRejectedFromItsHeader",
                String.format("%,d-byte file declaring %,d pixels: typed error TOO_LARGE, %,d bytes allocated",
                        Files.size(f), PIXELS, m.bytes()));
    }

    @Test
    void gzipLabelsDeclaringTwoGigabytesAreRejectedFromTheirHeader() {
        byte[] gz = HostileFiles.gzip(new byte[] {0, 0, 8, 1, (byte) 0x7e, 0, 0, 0}, 0x7e000000L);
        Allocation.Measured m = Allocation.measure(() ->
                IdxReader.readLabels(new GuardedInput(gz, 512 << 10), "bomb-labels.gz"));
        assertTooLarge(m, "bomb-labels.gz", 0x7e000000L);
    }

    @Test
    void theCapIsASystemPropertyAndCoversPlainFiles() throws IOException {
        Path small = Files.write(dir.resolve("small"), IdxReaderTest.idx(8, new int[] {2, 10, 5}, new byte[100]));
        System.setProperty(CAP, "100");
        assertEquals(2, IdxReader.readImages(small).size(0));
        System.setProperty(CAP, "99");
        MalformedIdxException e = assertThrows(MalformedIdxException.class, () -> IdxReader.readImages(small));
        assertEquals("TOO_LARGE", e.reason().name());
        assertTrue(e.getMessage().contains(small.toString()) && e.getMessage().contains("100 bytes")
                && e.getMessage().contains(CAP + " = 99"), e.getMessage());
        System.setProperty(CAP, "a lot");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> IdxReader.readImages(small));
        assertTrue(bad.getMessage().contains(CAP) && bad.getMessage().contains("a lot"), bad.getMessage());
    }

    @Test
    void gzipFileTooShortForItsDeclaredSizeIsTruncatedBeforeInflating() throws IOException {
        // 10 MB of pixels cannot come out of a 100-byte gzip file (deflate expands at most 1032:1)
        byte[] gz = MnistEmbeddedTest.gzip(IdxReaderTest.idx(8, new int[] {10_000, 32, 32}, new byte[50]));
        Path f = Files.write(dir.resolve("short.gz"), gz);
        MalformedIdxException e = assertThrows(MalformedIdxException.class, () -> IdxReader.readImages(f));
        assertEquals(MalformedIdxException.Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains(gz.length + "-byte gzip file") && e.getMessage().contains("10240016"),
                e.getMessage());
    }
}
