package org.diffusionlabs.io;

import java.util.Locale;

/**
 * Caps on the sizes a file declares, which the readers check before allocating: a small hostile file (a gzip bomb,
 * a PNG declaring gigabytes of pixels, a safetensors header listing millions of tensors) then fails with the reader's
 * typed error naming it, which {@code data.on_invalid = skip} can count, instead of an OutOfMemoryError that kills the
 * job. Each cap is a JVM system property, read at every check, so {@code JAVA_OPTS} (or Spark's
 * {@code extraJavaOptions}) can raise it for a trusted large input; byte counts may end in k, m or g (binary).
 */
public final class ReadLimits {
    /** Width × height of one image: default 2^26 (64 megapixels, 8192²). */
    public static final String IMAGE_PIXELS = "diffusion.image.maxPixels";
    /** Width × height × channels × bytes per sample of one decoded image: default 256 MiB. */
    public static final String IMAGE_DECODED_BYTES = "diffusion.image.maxDecodedBytes";
    /** Data bytes of one IDX file (u8, so 4× as float32), also what a gzip'd one may expand to: default 1 GiB. */
    public static final String IDX_BYTES = "diffusion.idx.maxBytes";
    /** Length of a safetensors JSON header: default 100 MiB, the reference implementation's cap. */
    public static final String SAFETENSORS_HEADER_BYTES = "diffusion.safetensors.maxHeaderBytes";
    /** Entries of a safetensors header (zero-size tensors included): default 100,000. */
    public static final String SAFETENSORS_TENSORS = "diffusion.safetensors.maxTensors";

    private ReadLimits() {}

    public static long imagePixels() {
        return get(IMAGE_PIXELS, 1L << 26);
    }

    public static long imageDecodedBytes() {
        return get(IMAGE_DECODED_BYTES, 1L << 28);
    }

    public static long idxBytes() {
        return get(IDX_BYTES, 1L << 30);
    }

    public static long safetensorsHeaderBytes() {
        return get(SAFETENSORS_HEADER_BYTES, 100L << 20);
    }

    public static long safetensorsTensors() {
        return get(SAFETENSORS_TENSORS, 100_000);
    }

    /** {@code "property = value"} for messages, e.g. {@code "diffusion.idx.maxBytes = 1073741824"}. */
    public static String describe(String property, long value) {
        return property + " = " + value;
    }

    /** The property's value, or {@code fallback} when unset; an unparsable or non-positive value names both. */
    static long get(String property, long fallback) {
        String raw = System.getProperty(property);
        if (raw == null) {
            return fallback;
        }
        String s = raw.trim().toLowerCase(Locale.ROOT);
        int shift = s.endsWith("k") ? 10 : s.endsWith("m") ? 20 : s.endsWith("g") ? 30 : 0;
        try {
            long v = Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1));
            if (v > 0 && v <= Long.MAX_VALUE >> shift) {
                return v << shift;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + property + " = '" + raw
                + "': must be a whole number > 0 (byte counts may end in k, m or g)");
    }
}
