package org.diffusionlabs.io;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadLimitsTest {
    @AfterEach
    void clear() {
        System.clearProperty(ReadLimits.IDX_BYTES);
    }

    @Test
    void defaultsApplyWhenUnset() {
        assertEquals(1L << 30, ReadLimits.idxBytes());
        assertEquals(1L << 26, ReadLimits.imagePixels());
        assertEquals(1L << 28, ReadLimits.imageDecodedBytes());
        assertEquals(100L << 20, ReadLimits.safetensorsHeaderBytes());
        assertEquals(100_000, ReadLimits.safetensorsTensors());
    }

    @Test
    void valuesMayEndInABinarySuffix() {
        for (String[] c : new String[][] {{"123", "123"}, {" 4k ", "4096"}, {"3M", "3145728"}, {"2g", "2147483648"}}) {
            System.setProperty(ReadLimits.IDX_BYTES, c[0]);
            assertEquals(Long.parseLong(c[1]), ReadLimits.idxBytes(), c[0]);
        }
    }

    @Test
    void badValuesNameThePropertyAndTheValue() {
        for (String bad : new String[] {"0", "-1", "1.5g", "lots", "", "9223372036854775807g"}) {
            System.setProperty(ReadLimits.IDX_BYTES, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ReadLimits::idxBytes, bad);
            assertTrue(e.getMessage().contains(ReadLimits.IDX_BYTES + " = '" + bad + "'"), e.getMessage());
        }
    }
}
