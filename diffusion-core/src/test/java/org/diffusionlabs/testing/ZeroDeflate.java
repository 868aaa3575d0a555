package org.diffusionlabs.testing;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * Raw deflate data of a short prefix followed by any number of zero bytes, small however large it expands (about
 * 1 KiB per MiB): one full-flushed segment of 1 MiB of zeros is compressed once and repeated, which is valid because
 * a full flush byte-aligns the output and forgets the history. The building block of the hostile test files.
 */
public final class ZeroDeflate {
    private static final int BLOCK = 1 << 20;

    private ZeroDeflate() {}

    /** Deflate data (no zlib or gzip wrapper) expanding to {@code prefix} then {@code zeros} zero bytes. */
    public static byte[] of(byte[] prefix, long zeros) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(flushed(d, prefix));
            byte[] block = zeros >= BLOCK ? flushed(d, new byte[BLOCK]) : new byte[0];
            for (long i = zeros / BLOCK; i > 0; i--) {
                out.writeBytes(block);
            }
            out.writeBytes(flushed(d, new byte[(int) (zeros % BLOCK)]));
            d.finish();
            out.writeBytes(drain(d, Deflater.NO_FLUSH));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] flushed(Deflater d, byte[] input) {
        d.setInput(input);
        return drain(d, Deflater.FULL_FLUSH);
    }

    private static byte[] drain(Deflater d, int flush) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
        } while (n == buf.length || (flush == Deflater.NO_FLUSH && !d.finished()));
        return out.toByteArray();
    }
}
