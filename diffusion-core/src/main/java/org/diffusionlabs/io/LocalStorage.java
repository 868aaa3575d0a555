package org.diffusionlabs.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** {@link Storage} on the local file system under a root directory. */
public final class LocalStorage extends AbstractStorage {
    private final Path root;

    public LocalStorage(Path root) {
        this.root = root;
    }

    private Path resolve(String path) {
        Path p = root.resolve(path).normalize();
        if (!p.startsWith(root.normalize())) {
            throw new IllegalArgumentException("LocalStorage parameter path given invalid value " + path
                    + ": must stay under " + root);
        }
        return p;
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public long length(String path) throws IOException {
        return Files.size(resolve(path));
    }

    @Override
    public OutputStream create(String path) throws IOException {
        Path p = resolve(path);
        Files.createDirectories(p.getParent());
        return Files.newOutputStream(p);
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path));
    }

    @Override
    public boolean isDirectory(String path) {
        return Files.isDirectory(resolve(path));
    }

    @Override
    public String location(String path) {
        return resolve(path).toString();
    }

    @Override
    protected Stream<String> entries(String dir) throws IOException {
        Path d = resolve(dir);
        return Files.isDirectory(d) ? Files.list(d).map(p -> p.getFileName().toString()) : Stream.empty();
    }

    @Override
    protected void createParent(String path) throws IOException {
        Files.createDirectories(resolve(path).getParent());
    }

    /** An atomic move, which throws rather than report failure. */
    @Override
    protected boolean move(String from, String to) throws IOException {
        Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** One atomic rename that replaces the target (POSIX rename). */
    @Override
    public void replace(String from, String to) throws IOException {
        createParent(to);
        Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(String path) throws IOException {
        Path p = resolve(path);
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
