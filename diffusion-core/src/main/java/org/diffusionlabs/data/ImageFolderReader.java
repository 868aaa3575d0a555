package org.diffusionlabs.data;

import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.io.Storage;
import org.diffusionlabs.nd.Checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a labelled image folder {@code root/<class>/<file>.png|jpg|jpeg} (the layout of torchvision's ImageFolder)
 * from any {@link Storage} (a local disk, or HDFS, S3, DBFS through Hadoop in the jobs module): labels are the
 * indices of the sorted sub-folder names, files are read in sorted order and decoded by {@link ImageDecoder} to the
 * {@link ImageOptions}. Unusable files (undecodable, corrupt, wrong size or channels when resizing or conversion is
 * off) follow {@link ImageOptions#onInvalid()}; I/O failures are always errors. Hidden entries, files directly under
 * root and other extensions are ignored.
 */
public final class ImageFolderReader {
    private static final String OWNER = "ImageFolderReader";

    private ImageFolderReader() {}

    /** Reads all images under a local folder. */
    public static ImageFolder read(Path root, ImageOptions options) throws IOException {
        Checks.notNull(root, OWNER, "root");
        return read(new LocalStorage(root), "", options);
    }

    /**
     * Reads all images under {@code root} ('/'-separated, relative to the storage; "" for the storage root).
     *
     * @throws NoSuchFileException / NotDirectoryException if root is missing or not a folder
     * @throws InvalidImageException under {@link OnInvalid#ERROR}, naming the first unusable file
     * @throws IOException also when no usable image remains
     */
    public static ImageFolder read(Storage storage, String root, ImageOptions options) throws IOException {
        Checks.notNull(storage, OWNER, "storage");
        Checks.notNull(root, OWNER, "root");
        Checks.notNull(options, OWNER, "options");
        String where = storage.location(root);
        if (!storage.exists(root)) {
            throw new NoSuchFileException(where, null, "image folder root does not exist");
        }
        if (!storage.isDirectory(root)) {
            throw new NotDirectoryException(where);
        }
        List<String> names = new ArrayList<>();
        for (String name : visible(storage, root)) {
            if (storage.isDirectory(join(root, name))) {
                names.add(name);
            }
        }
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> files = new ArrayList<>();
        SkippedImages skipped = new SkippedImages(options.onInvalid());
        for (int label = 0; label < names.size(); label++) {
            String dir = join(root, names.get(label));
            for (String name : visible(storage, dir)) {
                if (!isImageName(name)) {
                    continue;
                }
                String file = join(dir, name);
                try {
                    images.add(ImageDecoder.decode(bytes(storage, file), storage.location(file), -1, options));
                    labels.add(label);
                    files.add(file);
                } catch (InvalidImageException e) {
                    skipped.add(e);
                }
            }
        }
        if (images.isEmpty()) {
            throw new IOException(where + ": no usable .png/.jpg/.jpeg image in " + names.size() + " class folder(s)"
                    + (skipped.count() > 0 ? " (" + skipped.count() + " skipped, e.g. " + skipped.examples().get(0) + ")" : ""));
        }
        LabeledImages data = LabeledImages.stack(images, labels.stream().mapToInt(Integer::intValue).toArray(),
                options.channels(), options.height(), options.width());
        return new ImageFolder(data, names, skipped.count(), skipped.examples(), files);
    }

    private static List<String> visible(Storage storage, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (String n : storage.list(dir)) {
            if (!n.startsWith(".")) {
                names.add(n);
            }
        }
        names.sort(null);
        return names;
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    private static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** The file's bytes (at most {@link ImageDecoder#MAX_BYTES}); a read failure is an error naming the file. */
    private static byte[] bytes(Storage storage, String file) throws IOException {
        byte[] b;
        try (InputStream in = storage.open(file)) {
            b = in.readNBytes(ImageDecoder.MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IOException(storage.location(file) + ": cannot be read: " + e.getMessage(), e);
        }
        if (b.length > ImageDecoder.MAX_BYTES) {
            throw new InvalidImageException(storage.location(file), "larger than " + ImageDecoder.MAX_BYTES + " bytes",
                    null);
        }
        return b;
    }
}
