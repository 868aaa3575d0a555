package org.diffusionlabs.jobs.data;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageHeader;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;

/**
 * Spark's image struct ({@code spark.read.format("image")}: origin, height, width, nChannels, mode, data) as stored
 * in Parquet: {@code data} holds unsigned bytes row-major and interleaved in OpenCV's order — grey, BGR or BGRA for
 * 1, 3 or 4 channels, {@code mode} the matching OpenCV type CV_8UC1 (0), CV_8UC3 (16) or CV_8UC4 (24). Becomes planar
 * grey or RGB in [0, 1] (alpha dropped), fitted by {@link ImageDecoder#fit}.
 */
final class SparkImageStruct {
    static final String[] FIELDS = {"height", "width", "nChannels", "mode", "data"};

    private SparkImageStruct() {}

    /** True when a group has every field of Spark's image struct. */
    static boolean matches(GroupType g) {
        for (String f : FIELDS) {
            if (!g.containsField(f)) {
                return false;
            }
        }
        return true;
    }

    static float[] pixels(Group image, String file, long row, ImageOptions o) throws InvalidImageException {
        for (String f : FIELDS) {
            if (image.getFieldRepetitionCount(f) == 0) {
                throw new InvalidImageException(file, row, "Spark image struct has a null " + f, null);
            }
        }
        int h = image.getInteger("height", 0);
        int w = image.getInteger("width", 0);
        int n = image.getInteger("nChannels", 0);
        int mode = image.getInteger("mode", 0);
        byte[] data = image.getBinary("data", 0).getBytes();
        int expectedMode = n == 1 ? 0 : n == 3 ? 16 : n == 4 ? 24 : -1;
        if (expectedMode < 0) {
            throw new InvalidImageException(file, row, "Spark image struct has nChannels " + n
                    + "; only 1, 3 and 4 are supported", null);
        }
        if (mode != expectedMode) {
            throw new InvalidImageException(file, row, "Spark image struct has mode " + mode + " but nChannels " + n
                    + " needs OpenCV type CV_8UC" + n + " (" + expectedMode + ")", null);
        }
        new ImageHeader(w, h, n, 1).check(file, row); // the struct's data: w·h·n bytes
        int plane = h * w;
        if (data.length != (long) plane * n) {
            throw new InvalidImageException(file, row, "Spark image struct data has " + data.length
                    + " bytes, expected height·width·nChannels = " + (long) plane * n, null);
        }
        int channels = n == 1 ? 1 : 3;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            if (n == 1) {
                out[p] = unit(data[p]);
            } else {
                out[p] = unit(data[p * n + 2]);              // R
                out[plane + p] = unit(data[p * n + 1]);      // G
                out[2 * plane + p] = unit(data[p * n]);      // B
            }
        }
        return ImageDecoder.fit(out, channels, h, w, file, row, o);
    }

    private static float unit(byte b) {
        return (float) ((b & 0xFF) / 255.0);
    }
}
