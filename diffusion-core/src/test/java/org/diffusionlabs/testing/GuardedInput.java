package org.diffusionlabs.testing;

import java.io.ByteArrayInputStream;

/**
 * Bytes that may be read only up to a limit: reading further throws an {@link AssertionError}, which no reader
 * catches, so a test fails at once, before a reader that trusts a hostile header inflates it into memory.
 */
public final class GuardedInput extends ByteArrayInputStream {
    private final int limit;

    public GuardedInput(byte[] bytes, int limit) {
        super(bytes);
        this.limit = limit;
    }

    @Override
    public synchronized int read() {
        check(1);
        return super.read();
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
        check(Math.min(len, count - pos));
        return super.read(b, off, len);
    }

    private void check(int more) {
        if (pos + more > limit) {
            throw new AssertionError("the reader pulled more than " + limit + " of the " + count
                    + " input bytes: it reads data the header should have stopped it from");
        }
    }
}
