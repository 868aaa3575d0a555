package org.diffusionlabs.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Small files that declare or expand to huge sizes, as a hostile user would craft them: a gzip stream of zeros
 * (a 2 MB file expanding to 2 GB) and a PNG of zeros of any size and sample depth (8192² RGBA at 16 bits in
 * 0.5 MB). Both are well formed, so a reader that trusts them decodes them in full.
 */
public final class HostileFiles {
    private HostileFiles() {}

    /** A gzip file expanding to {@code head} followed by {@code zeros} zero bytes, with a correct CRC and size. */
    public static byte[] gzip(byte[] head, long zeros) {
        CRC32 crc = new CRC32();
        crc.update(head);
        byte[] block = new byte[1 << 20];
        for (long left = zeros; left > 0; left -= block.length) {
            crc.update(block, 0, (int) Math.min(block.length, left));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        out.writeBytes(ZeroDeflate.of(head, zeros));
        writeIntLe(out, crc.getValue());
        writeIntLe(out, head.length + zeros);
        return out.toByteArray();
    }

    /**
     * An all-zero PNG of {@code width × height}, {@code bitDepth} 8 or 16 bits per sample, colour type 0 (grey),
     * 2 (RGB), 4 (grey + alpha) or 6 (RGBA).
     */
    public static byte[] png(int width, int height, int bitDepth, int colourType) {
        int channels = switch (colourType) {
            case 0 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new IllegalArgumentException("colourType " + colourType);
        };
        long rowBytes = 1 + (long) width * channels * bitDepth / 8;
        long raw = rowBytes * height;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        idat.writeBytes(new byte[] {0x78, (byte) 0xda});
        idat.writeBytes(ZeroDeflate.of(new byte[0], raw));
        long adler = ((raw % 65521) << 16) | 1; // Adler-32 of zeros: a = 1, b = n mod 65521
        writeIntBe(idat, adler);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        writeIntBe(ihdr, width);
        writeIntBe(ihdr, height);
        ihdr.writeBytes(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        writeIntBe(out, data.length);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        writeIntBe(out, crc.getValue());
    }

    private static void writeIntBe(ByteArrayOutputStream out, long v) {
        try {
            new DataOutputStream(out).writeInt((int) v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeIntLe(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }
}
