package org.diffusionlabs.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that hands out at most a limit of bytes and fails with the caller's typed error as soon as more
 * exist: it bounds what a decompressing stream may expand to, however small its source, so a gzip bomb is an error
 * naming the file after at most the limit, not an OutOfMemoryError. The limit can be changed as the caller learns
 * more (e.g. tightened to what a header declares).
 */
public final class CappedInputStream extends FilterInputStream {
    /** The error for a stream holding more than {@code limit} bytes. */
    @FunctionalInterface
    public interface Overflow {
        IOException error(long limit);
    }

    private long limit;
    private Overflow overflow;
    private long count;

    public CappedInputStream(InputStream in, long limit, Overflow overflow) {
        super(in);
        limit(limit, overflow);
    }

    /** Sets a new limit (counted from the start of the stream) and the error for passing it. */
    public void limit(long newLimit, Overflow error) {
        if (newLimit < 0 || error == null) {
            throw new IllegalArgumentException("CappedInputStream: limit " + newLimit + " must be >= 0 and the error "
                    + "given");
        }
        this.limit = newLimit;
        this.overflow = error;
    }

    /** Bytes handed out so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        if (count >= limit) {
            return beyond();
        }
        int b = in.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (count >= limit) {
            return beyond();
        }
        int n = in.read(b, off, (int) Math.min(len, limit - count));
        if (n > 0) {
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = in.skip(Math.min(Math.max(n, 0), limit - count));
        count += s;
        return s;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** At the limit: end of stream is fine, one more byte is the overflow error. */
    private int beyond() throws IOException {
        if (in.read() < 0) {
            return -1;
        }
        throw overflow.error(limit);
    }
}
