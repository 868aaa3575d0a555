package org.diffusionlabs.jobs.data;

import org.apache.parquet.io.api.Binary;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.OnInvalid;
import org.diffusionlabs.testing.HostileFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.diffusionlabs.jobs.data.ParquetFixtures.greyPng;
import static org.diffusionlabs.jobs.data.ParquetFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (4): PNG bytes in a Parquet row are bounded by their declared decoded size like image files: a 0.5 MB
 * 8192² 16-bit RGBA PNG (512 MiB decoded) is counted and named by file and row under skip, never decoded.
 */
class ParquetBoundsTest {
    @Test
    void aSixteenBitPngOfHalfAGigabyteInARowIsSkippedAndNamed(@TempDir Path dir) throws IOException {
        Path file = write(dir.resolve("bomb.parquet"), "message m { required binary image; required int32 label; }",
                g -> g.append("image", Binary.fromConstantByteArray(greyPng(4, 4, 0))).append("label", 1),
                g -> g.append("image", Binary.fromConstantByteArray(HostileFiles.png(8192, 8192, 16, 6)))
                        .append("label", 2));
        ParquetImages p = ParquetImageReader.read(file.toString(), new ParquetImageReader.Options("image", "label",
                255, ImageOptions.grey(4, 4).withResize(true).withOnInvalid(OnInvalid.SKIP)));
        assertEquals(1, p.data().size());
        assertEquals(1, p.skipped());
        String why = p.skippedRows().get(0);
        assertTrue(why.contains("bomb.parquet row 1") && why.contains("8192x8192") && why.contains("536870912"), why);
    }
}
