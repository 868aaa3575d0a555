package org.diffusionlabs.io;

import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.diffusionlabs.testing.Allocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.diffusionlabs.io.StFiles.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 (4): a safetensors header is bounded by its length and its number of entries before it is parsed into
 * entries or tensors. The hostile file lists 1.75 million zero-size tensors (a valid 94 MB header, within the 100 MiB
 * length cap, and no data at all); it must fail with a typed error, not with millions of arrays.
 */
class SafetensorsBoundsTest {
    private static final String TENSORS = "diffusion.safetensors.maxTensors";
    private static final String HEADER = "diffusion.safetensors.maxHeaderBytes";

    @AfterEach
    void clearCaps() {
        System.clearProperty(TENSORS);
        System.clearProperty(HEADER);
    }

    /** A file whose header lists {@code count} tensors of shape [0] (all at data offsets [0, 0]). */
    private static byte[] zeroSizeTensors(int count) {
        StringBuilder json = new StringBuilder(count * 56).append('{');
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("\"t").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        return file(json.append('}').toString(), new byte[0]);
    }

    @Tag("fault")
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void millionsOfZeroSizeTensorsAreATypedErrorBeforeAnyEntryIsBuilt() {
        byte[] st = zeroSizeTensors(1_750_000);
        long header = st.length - 8;
        Allocation.Measured m = Allocation.measure(() -> Safetensors.read(new ByteArrayInputStream(st), st.length));
        MalformedSafetensorsException e = assertInstanceOf(MalformedSafetensorsException.class, m.thrown());
        assertEquals("TOO_MANY_TENSORS", e.reason().name(), e.getMessage());
        assertTrue(e.getMessage().contains("100000") && e.getMessage().contains(TENSORS), e.getMessage());
        // the header bytes themselves are read (bounded by the header cap); nothing proportional to the entries
        assertTrue(m.bytes() < 3 * header + (64 << 20), "allocated " + m.bytes() + " bytes for a " + header
                + "-byte header");
        FaultFigures.record("hostile-safetensors", "hostile weights: a safetensors file of 1.75 M zero-size tensors",
                "SafetensorsBoundsTest.millionsOfZeroSizeTensorsAreATypedErrorBeforeAnyEntryIsBuilt",
                String.format("%,d-byte header: typed error TOO_MANY_TENSORS, %,d bytes allocated", header, m.bytes()));
    }

    @Test
    void theTensorCapIsASystemPropertyAndMetadataIsNoTensor() throws IOException {
        System.setProperty(TENSORS, "2");
        String meta = "\"__metadata__\":{\"k\":\"v\"}";
        String t = "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
        byte[] two = file("{" + meta + ",\"a\":" + t + ",\"b\":" + t + "}", new byte[0]);
        assertEquals(2, Safetensors.readHeader(new ByteArrayInputStream(two), two.length).entries().size());
        byte[] three = file("{\"a\":" + t + ",\"b\":" + t + ",\"c\":" + t + "}", new byte[0]);
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.read(new ByteArrayInputStream(three), three.length));
        assertEquals("TOO_MANY_TENSORS", e.reason().name());
        assertTrue(e.getMessage().contains(TENSORS + " = 2"), e.getMessage());
    }

    @Test
    void theHeaderLengthCapIsASystemProperty() throws IOException {
        byte[] st = file("{\"__metadata__\":{\"k\":\"" + "v".repeat(100) + "\"}}", new byte[0]);
        long header = st.length - 8;
        System.setProperty(HEADER, Long.toString(header));
        assertEquals(header, Safetensors.readHeader(new ByteArrayInputStream(st), st.length).headerLength());
        System.setProperty(HEADER, Long.toString(header - 1));
        MalformedSafetensorsException e = assertThrows(MalformedSafetensorsException.class,
                () -> Safetensors.readHeader(new ByteArrayInputStream(st), st.length));
        assertEquals(MalformedSafetensorsException.Reason.HEADER_LENGTH, e.reason());
        assertTrue(e.getMessage().contains(Long.toString(header)) && e.getMessage().contains(HEADER + " = "
                + (header - 1)), e.getMessage());
        System.setProperty(HEADER, "1x");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.readHeader(new ByteArrayInputStream(st), st.length));
        assertTrue(bad.getMessage().contains(HEADER) && bad.getMessage().contains("1x"), bad.getMessage());
    }
}
