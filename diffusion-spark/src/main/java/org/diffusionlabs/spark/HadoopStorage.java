package org.diffusionlabs.spark;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.diffusionlabs.io.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Storage} over Hadoop's FileSystem under a root URI (local, HDFS, S3A, DBFS): checkpoints, runs, model
 * directories and the data readers of the jobs and of Spark. Local paths use the raw file system, so no {@code .crc}
 * side files are written.
 */
public final class HadoopStorage implements Storage {
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
    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(resolve(dir))) {
                names.add(s.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path target = resolve(to);
        fs.mkdirs(target.getParent());
        if (!fs.rename(resolve(from), target)) {
            throw new IOException("cannot rename " + resolve(from) + " to " + target);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        fs.delete(resolve(path), true);
    }
}
