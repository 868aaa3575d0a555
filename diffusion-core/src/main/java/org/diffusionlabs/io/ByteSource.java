package org.diffusionlabs.io;

import org.diffusionlabs.io.MalformedSafetensorsException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * A sequential byte source over a channel or an input stream that reads exactly what is asked for and
 * turns an early end of input into {@link Reason#TRUNCATED} instead of a short read or a hang.
 * Stream input goes through one reusable chunk buffer, so nothing is ever buffered whole.
 */
final class ByteSource {
    /** Chunk size for stream reads and for filling native tensor memory. */
    static final int CHUNK = 1 << 20;
    /** Consecutive reads returning 0 bytes tolerated before a misbehaving source is declared stuck. */
    private static final int MAX_IDLE_READS = 1000;

    private final ReadableByteChannel channel;
    private final InputStream stream;
    private byte[] chunk;
    private long consumed;

    private ByteSource(ReadableByteChannel channel, InputStream stream) {
        this.channel = channel;
        this.stream = stream;
    }

    static ByteSource of(ReadableByteChannel channel) {
        return new ByteSource(channel, null);
    }

    static ByteSource of(InputStream stream) {
        return new ByteSource(null, stream);
    }

    /** Bytes consumed so far. */
    long consumed() {
        return consumed;
    }

    /** Fills {@code dst} completely; {@code what} names the part of the file for the error message. */
    void readFully(ByteBuffer dst, String what) throws IOException {
        int idle = 0;
        while (dst.hasRemaining()) {
            int n = channel != null ? channel.read(dst) : readStream(dst);
            if (n < 0) {
                throw new MalformedSafetensorsException(Reason.TRUNCATED, "input ended after " + consumed
                        + " bytes while reading " + what + " (" + dst.remaining() + " more bytes expected)");
            }
            if (n == 0) {
                if (++idle > MAX_IDLE_READS) {
                    throw new MalformedSafetensorsException(Reason.TRUNCATED, "input made no progress after "
                            + consumed + " bytes while reading " + what);
                }
                Thread.yield();
            } else {
                idle = 0;
                consumed += n;
            }
        }
    }

    /**
     * Reads exactly {@code n} bytes into a new array that grows as data arrives, so a source that lies
     * about its length fails with TRUNCATED before a large buffer is allocated.
     */
    byte[] readBytes(int n, String what) throws IOException {
        byte[] buf = new byte[Math.min(n, CHUNK)];
        int filled = 0;
        while (true) {
            readFully(ByteBuffer.wrap(buf, filled, buf.length - filled), what);
            filled = buf.length;
            if (filled == n) {
                return buf;
            }
            buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
        }
    }

    private int readStream(ByteBuffer dst) throws IOException {
        int want = Math.min(dst.remaining(), CHUNK);
        if (dst.hasArray()) {
            int n = stream.read(dst.array(), dst.arrayOffset() + dst.position(), want);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        if (chunk == null || chunk.length < want) {
            chunk = new byte[Math.max(want, chunk == null ? 0 : chunk.length)];
        }
        int n = stream.read(chunk, 0, want);
        if (n > 0) {
            dst.put(chunk, 0, n);
        }
        return n;
    }
}
