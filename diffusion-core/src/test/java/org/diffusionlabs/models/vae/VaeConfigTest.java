package org.diffusionlabs.models.vae;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VaeConfig: the reference's defaults, the level widths of encoder and decoder, and rejections naming the value. */
class VaeConfigTest {
    static VaeConfig.Builder required() {
        return VaeConfig.builder().setEmbeddingChannels(4).setInChannels(3).setOutChannels(3).setZChannels(4)
                .setChannels(128).setNumResBlocks(2);
    }

    @Test
    void defaultsAreTheReferences() {
        VaeConfig c = required().build();
        assertEquals(List.of(1, 2, 4, 8), c.channelMultipliers());
        assertEquals(0.0, c.dropout());
        assertEquals(32, c.normGroups());
        assertEquals(1e-6, c.normEps());
        assertFalse(c.outputAlphaChannel());
        assertEquals(8, c.downscale());
        assertEquals(3, c.decodedChannels());
        assertEquals(4, required().optOutputAlphaChannel(true).build().decodedChannels());
    }

    @Test
    void levelWidthsFollowTheMultipliers() {
        VaeConfig c = required().build();
        assertArrayEquals(new long[] {128, 128, 256, 512, 1024}, c.encoderWidths());
        assertArrayEquals(new long[] {1024, 1024, 512, 256, 128}, c.decoderWidths());
    }

    @Test
    void badValuesAreRejectedByName() {
        assertMessage(() -> required().setZChannels(0).build(), "z_channels");
        assertMessage(() -> required().setNumResBlocks(-1).build(), "num_res_blocks");
        assertMessage(() -> required().optChannelMultipliers().build(), "channel_multipliers");
        assertMessage(() -> required().optChannelMultipliers(1, 0).build(), "channel_multipliers");
        assertMessage(() -> required().optDropout(1.0).build(), "dropout");
        assertMessage(() -> required().optNormEps(0).build(), "norm_eps");
        assertMessage(() -> required().optNormGroups(0).build(), "norm_groups");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String name) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(name), ex.getMessage());
    }
}
