package org.diffusionlabs.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The listing and renaming rules every file-system {@link Storage} shares, over three primitives of the file
 * system: entry names come back sorted (checkpoint steps are found by name) in a fresh list, empty for a missing
 * directory; a rename first creates the target's parent directories and fails with an {@link IOException} when the
 * file system reports that nothing moved. Subclasses (local disk here, Hadoop in diffusion-spark) supply only the
 * primitives.
 */
public abstract class AbstractStorage implements Storage {
    /** Names (not paths) of the entries directly under {@code dir}, any order; empty when it does not exist. */
    protected abstract Stream<String> entries(String dir) throws IOException;

    /** Creates the parent directory of {@code path} and its ancestors. */
    protected abstract void createParent(String path) throws IOException;

    /** Moves {@code from} to {@code to}; false when the file system reports that it did not (no exception). */
    protected abstract boolean move(String from, String to) throws IOException;

    @Override
    public final List<String> list(String dir) throws IOException {
        try (Stream<String> names = entries(dir)) {
            return names.sorted().collect(Collectors.toCollection(ArrayList::new));
        }
    }

    @Override
    public final void rename(String from, String to) throws IOException {
        createParent(to);
        if (!move(from, to)) {
            throw new IOException("cannot rename " + location(from) + " to " + location(to));
        }
    }
}
