package org.diffusionlabs.jobs.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionlabs.io.Safetensors;
import org.diffusionlabs.jobs.cli.UsageException;
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
    public static Configuration conf() {
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

    /**
     * Refuses an output location that names one of a command's inputs (option name → location; absent ones are
     * skipped), so an output never replaces what the command reads: the same location once made absolute and
     * normalised, or on the local disk the same existing file through a link.
     */
    public static void requireNotAnInput(String outputOption, String output, Map<String, String> inputs)
            throws IOException, UsageException {
        for (Map.Entry<String, String> in : inputs.entrySet()) {
            if (in.getValue() != null && sameFile(output, in.getValue())) {
                throw new UsageException("option --" + outputOption + " " + output + " names the same file as --"
                        + in.getKey() + " " + in.getValue() + ": an output never replaces an input; choose another --"
                        + outputOption);
            }
        }
    }

    /** Whether two locations are the same file or directory (see {@link #requireNotAnInput}). */
    static boolean sameFile(String a, String b) throws IOException {
        Path pa = qualified(a);
        Path pb = qualified(b);
        if (pa.equals(pb)) {
            return true;
        }
        if (!"file".equals(pa.toUri().getScheme()) || !"file".equals(pb.toUri().getScheme())) {
            return false;
        }
        java.nio.file.Path la = java.nio.file.Paths.get(pa.toUri());
        java.nio.file.Path lb = java.nio.file.Paths.get(pb.toUri());
        return java.nio.file.Files.exists(la) && java.nio.file.Files.exists(lb) && java.nio.file.Files.isSameFile(la, lb);
    }

    private static Path qualified(String location) throws IOException {
        Path p = path(location);
        return fs(p).makeQualified(p);
    }

    private static long status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p).getLen();
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(p + ": no such file");
        }
    }
}
