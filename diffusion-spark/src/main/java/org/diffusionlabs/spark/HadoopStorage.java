package org.diffusionlabs.spark;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionlabs.io.AbstractStorage;
import org.diffusionlabs.io.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * {@link Storage} over Hadoop's FileSystem under a root URI (local, HDFS, S3A, DBFS): checkpoints, runs, model
 * directories and the data readers of the jobs and of Spark. Local paths use the raw file system, so no {@code .crc}
 * side files are written.
 */
public final class HadoopStorage extends AbstractStorage {
    private final Path root;
    private final FileSystem fs;

    private static final org.apache.hadoop.conf.Configuration CONF = new org.apache.hadoop.conf.Configuration();

    public HadoopStorage(String rootLocation) throws IOException {
        this.root = new Path(rootLocation);
        this.fs = fileSystem(root);
    }

    /** The Hadoop configuration every location is resolved with. */
    public static org.apache.hadoop.conf.Configuration configuration() {
        return CONF;
    }

    /** The file system of a path; for local paths the raw one (no {@code .crc} side files). */
    public static FileSystem fileSystem(Path p) throws IOException {
        FileSystem f = p.getFileSystem(CONF);
        return f instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRaw() : f;
    }

    private Path resolve(String path) {
        if (path.contains("..")) {
            throw new IllegalArgumentException("HadoopStorage parameter path given invalid value " + path + ": must not contain '..'");
        }
        return path.isEmpty() ? root : new Path(root, path);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return fs.open(resolve(path));
    }

    @Override
    public long length(String path) throws IOException {
        return fs.getFileStatus(resolve(path)).getLen();
    }

    @Override
    public OutputStream create(String path) throws IOException {
        return fs.create(resolve(path), true);
    }

    @Override
    public boolean exists(String path) throws IOException {
        return fs.exists(resolve(path));
    }

    @Override
    public boolean isDirectory(String path) throws IOException {
        try {
            return fs.getFileStatus(resolve(path)).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public String location(String path) {
        return resolve(path).toString();
    }

    @Override
    protected Stream<String> entries(String dir) throws IOException {
        try {
            return Arrays.stream(fs.listStatus(resolve(dir))).map(s -> s.getPath().getName());
        } catch (FileNotFoundException e) {
            return Stream.empty();
        }
    }

    @Override
    protected void createParent(String path) throws IOException {
        fs.mkdirs(resolve(path).getParent());
    }

    @Override
    protected boolean move(String from, String to) throws IOException {
        return fs.rename(resolve(from), resolve(to));
    }

    /** On the local file system one rename replaces the target atomically; elsewhere the target is moved aside first. */
    @Override
    public void replace(String from, String to) throws IOException {
        if (fs instanceof org.apache.hadoop.fs.RawLocalFileSystem && !isDirectory(to)) {
            createParent(to);
            if (fs.rename(resolve(from), resolve(to))) {
                return;
            }
        }
        super.replace(from, to);
    }

    @Override
    public void delete(String path) throws IOException {
        fs.delete(resolve(path), true);
    }
}
