package org.diffusionlabs.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The few file operations checkpoints and data readers need, so the same code works on a local disk (here) and on
 * HDFS, S3 or DBFS through Hadoop's FileSystem (in the jobs module). Paths are '/'-separated, relative to the
 * storage root; the empty path is the root itself (which may be a single file).
 */
public interface Storage {
    /** Opens a file for reading; {@link java.io.FileNotFoundException} when absent. */
    InputStream open(String path) throws IOException;

    /** Length of a file in bytes. */
    long length(String path) throws IOException;

    /** Creates (or overwrites) a file, creating parent directories. */
    OutputStream create(String path) throws IOException;

    boolean exists(String path) throws IOException;

    /** True when the path exists and is a directory. */
    boolean isDirectory(String path) throws IOException;

    /** The full location of a path (root included), for messages that must name a file. */
    default String location(String path) {
        return path;
    }

    /** Names (not paths) of the entries directly under a directory; empty when it does not exist. */
    List<String> list(String dir) throws IOException;

    /** Renames a file or directory; the target must not exist. */
    void rename(String from, String to) throws IOException;

    /** Deletes a file or a directory tree; no error when absent. */
    void delete(String path) throws IOException;

    /**
     * Renames the file {@code from} over the file {@code to}, which may exist. By default an existing target is
     * moved aside first and deleted only once the new file is in place (put back if the rename fails), so at every
     * moment the old or the new content exists; file systems that can replace in one atomic rename override this.
     */
    default void replace(String from, String to) throws IOException {
        if (!exists(to)) {
            rename(from, to);
            return;
        }
        String aside = hiddenSibling(to, ".old-");
        rename(to, aside);
        try {
            rename(from, to);
        } catch (IOException | RuntimeException e) {
            rename(aside, to);
            throw e;
        }
        delete(aside);
    }

    /**
     * Writes a whole file atomically: to a hidden temporary sibling first, then {@link #replace}d over {@code path},
     * so neither a crash nor a reader ever sees a partial file under the final name.
     */
    default void write(String path, byte[] content) throws IOException {
        String tmp = hiddenSibling(path, ".tmp-");
        try {
            try (OutputStream out = create(tmp)) {
                out.write(content);
            }
            replace(tmp, path);
        } finally {
            delete(tmp);
        }
    }

    /** {@code dir/.name<tag><nanos>} for {@code dir/name}: a temporary name beside a file that listings skip. */
    private static String hiddenSibling(String path, String tag) {
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1) + "." + path.substring(slash + 1) + tag + System.nanoTime();
    }
}
