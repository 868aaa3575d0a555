package org.diffusionlabs.nd;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pillow's 8-bit resampling. BOX and BICUBIC are checked against Pillow through {@code Dalle2ImageTransformTest};
 * BILINEAR here against the Pillow file of {@code ResizeTest} (its 9×7 image resized to 4×5 and 13×11).
 */
class PillowResampleTest {
    @Test
    void bilinearEqualsPillowByteForByte() throws IOException {
        byte[] golden; // written by data/mnist/pil_resize_golden.py with Pillow 9.4.0
        try (InputStream in = getClass().getResourceAsStream("/org/diffusionlabs/data/pil-bilinear.bin")) {
            golden = in.readAllBytes();
        }
        int[] small = codes(Arrays.copyOfRange(golden, 3072, 3135));
        assertArrayEquals(codes(Arrays.copyOfRange(golden, 3135, 3155)),
                PillowResample.resize(small, 1, 9, 7, 4, 5, PillowResample.Filter.BILINEAR));
        assertArrayEquals(codes(Arrays.copyOfRange(golden, 3155, 3298)),
                PillowResample.resize(small, 1, 9, 7, 13, 11, PillowResample.Filter.BILINEAR));
    }

    @Test
    void boxHalvingRoundsAfterEachPass() {
        // 2×2 → 1×1 per channel: rows 0.5, 2.5 → 1, 3 (half up), then 2; rows 10, 10.5 → 10, 11, then 10.5 → 11,
        // not round(10.25) = 10 (values checked with Pillow 9.4)
        int[] in = {0, 1, 2, 3, 10, 10, 10, 11};
        int[] out = PillowResample.resize(in, 2, 2, 2, 1, 1, PillowResample.Filter.BOX);
        assertArrayEquals(new int[] {2, 11}, out);
    }

    @Test
    void bicubicOvershootIsClippedToEightBits() {
        // a step 0 → 255 upsampled 4 → 12: the a = −0.5 lobes under- and overshoot, clipped (Pillow 9.4's values)
        int[] out = PillowResample.resize(new int[] {0, 0, 255, 255}, 1, 1, 4, 1, 12, PillowResample.Filter.BICUBIC);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 76, 179, 255, 255, 255, 255, 255}, out);
    }

    @Test
    void badSizesAreRejectedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PillowResample.resize(new int[5], 1, 2, 2, 1, 1, PillowResample.Filter.BOX));
        assertTrue(e.getMessage().contains("codes.length"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PillowResample.resize(new int[4], 1, 2, 2, 0, 1, PillowResample.Filter.BOX));
    }

    private static int[] codes(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }
}
