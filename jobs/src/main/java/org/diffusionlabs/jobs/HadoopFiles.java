package org.diffusionlabs.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.spark.HadoopStorage;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every location a user gives goes through Hadoop's FileSystem, so {@code file:}, {@code hdfs:}, {@code s3a:} and
 * {@code dbfs:} paths all work (a bare path is local). Writes go to a temporary sibling first and are renamed into
 * place, so a failed write never leaves a partial file under the final name.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    public static Path path(String location) {
        return new Path(location);
    }

    /** The file system of a path (for local paths the raw one: no {@code .crc} side files). */
    public static FileSystem fs(Path p) throws IOException {
        return HadoopStorage.fileSystem(p);
    }

    /** The Hadoop configuration every location is resolved with (for readers that open files themselves). */
    static Configuration conf() {
        return HadoopStorage.configuration();
    }

    /** Reads a safetensors file (streamed; sizes validated against the file's real length). */
    public static Map<String, INDArray> readSafetensors(String location) throws IOException {
        Path p = path(location);
        FileSystem fs = fs(p);
        long length = status(fs, p);
        try (FSDataInputStream in = fs.open(p)) {
            return Safetensors.read(in, length);
        }
    }

    /** Reads a whole (small) UTF-8 text file. */
    public static String readText(String location) throws IOException {
        Path p = path(location);
        FileSystem fs = fs(p);
        long length = status(fs, p);
        if (length > 16L << 20) {
            throw new IOException(location + ": " + length + " bytes is too large for a text configuration file");
        }
        try (FSDataInputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Writes float32 tensors as safetensors, atomically (temporary file, then rename). */
    public static void writeSafetensors(String location, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Path target = path(location);
        FileSystem fs = fs(target);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                Safetensors.write(tensors, metadata, out);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } finally {
            fs.delete(tmp, false);
        }
    }

    private static long status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p).getLen();
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(p + ": no such file");
        }
    }
}
