package org.diffusionlabs.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CappedInputStreamTest {
    private static CappedInputStream over(int size, long limit) {
        return new CappedInputStream(new ByteArrayInputStream(new byte[size]), limit,
                l -> new IOException("more than " + l));
    }

    @Test
    void aStreamOfExactlyTheLimitReadsToItsEnd() throws IOException {
        CappedInputStream in = over(10, 10);
        assertEquals(10, in.readAllBytes().length);
        assertEquals(-1, in.read());
        assertEquals(10, in.count());
    }

    @Test
    void oneByteMoreIsTheCallersErrorAfterTheLimitIsHandedOut() throws IOException {
        CappedInputStream in = over(11, 10);
        assertArrayEquals(new byte[10], in.readNBytes(10));
        assertEquals("more than 10", assertThrows(IOException.class, in::read).getMessage());
        assertEquals("more than 10", assertThrows(IOException.class, () -> over(100, 10).readAllBytes()).getMessage());
    }

    @Test
    void theLimitCanBeTightenedWithANewError() throws IOException {
        CappedInputStream in = over(20, 1000);
        in.readNBytes(4);
        in.limit(8, l -> new IOException("declared " + l));
        assertEquals(4, in.read(new byte[100], 0, 100));
        assertEquals("declared 8", assertThrows(IOException.class, in::read).getMessage());
        assertThrows(IllegalArgumentException.class, () -> in.limit(-1, l -> null));
    }
}
