package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads a labelled image folder {@code root/<class>/<file>.png|jpg|jpeg} (the layout of torchvision's ImageFolder):
 * labels are the indices of the sorted sub-folder names, files are read in sorted order, decoded with
 * {@code javax.imageio} and converted to grey or RGB like Pillow ({@link ImagePixels}). All images must have the
 * requested size, or are resized with {@link Resize}'s bilinear filter when {@link Options#resize} is set.
 * Unusable files (undecodable, corrupt, wrong size, colour type when conversion is off) follow
 * {@link Options#onInvalid}. Hidden entries, files directly under root and other extensions are ignored.
 */
public final class ImageFolderReader {
    /** How many skipped files {@link ImageFolder#skippedFiles()} names at most. */
    public static final int MAX_REPORTED = 10;
    /** Cap on width·height of one image, checked before decoding (decompression bombs). */
    public static final long MAX_PIXELS = 1L << 26;
    private static final String OWNER = "ImageFolderReader";

    /**
     * How to read: {@code channels} 1 (grey) or 3 (RGB); the required {@code height × width}; {@code resize}
     * other sizes instead of rejecting them; {@code convertColor} grey ↔ RGB (otherwise a colour image when
     * 1 channel is asked, or a grey one when 3 are, is invalid); the {@code onInvalid} policy.
     */
    public record Options(int channels, int height, int width, boolean resize, boolean convertColor,
                          OnInvalid onInvalid) {
        public Options {
            Checks.require(channels == 1 || channels == 3, OWNER, "channels", channels, "must be 1 or 3");
            Checks.require(height > 0 && height <= 1 << 14, OWNER, "height", height, "must be in [1, 16384]");
            Checks.require(width > 0 && width <= 1 << 14, OWNER, "width", width, "must be in [1, 16384]");
            Checks.notNull(onInvalid, OWNER, "onInvalid");
        }

        /** Grey images of exactly {@code height × width}, colour converted, invalid files an error. */
        public static Options grey(int height, int width) {
            return new Options(1, height, width, false, true, OnInvalid.ERROR);
        }

        /** RGB images of exactly {@code height × width}, colour converted, invalid files an error. */
        public static Options rgb(int height, int width) {
            return new Options(3, height, width, false, true, OnInvalid.ERROR);
        }

        public Options withResize(boolean on) {
            return new Options(channels, height, width, on, convertColor, onInvalid);
        }

        public Options withConvertColor(boolean on) {
            return new Options(channels, height, width, resize, on, onInvalid);
        }

        public Options withOnInvalid(OnInvalid policy) {
            return new Options(channels, height, width, resize, convertColor, policy);
        }
    }

    private ImageFolderReader() {}

    /**
     * Reads all images under {@code root}.
     *
     * @throws NoSuchFileException / NotDirectoryException if root is missing or not a folder
     * @throws InvalidImageException under {@link OnInvalid#ERROR}, naming the first unusable file
     * @throws IOException also when no usable image remains
     */
    public static ImageFolder read(Path root, Options options) throws IOException {
        Checks.notNull(root, OWNER, "root");
        Checks.notNull(options, OWNER, "options");
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString(), null, "image folder root does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root.toString());
        }
        List<Path> classDirs = sorted(root, Files::isDirectory);
        List<String> names = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> skippedFiles = new ArrayList<>();
        int skipped = 0;
        for (Path dir : classDirs) {
            int label = names.size();
            names.add(dir.getFileName().toString());
            for (Path file : sorted(dir, p -> Files.isRegularFile(p) && isImageName(p))) {
                try {
                    images.add(load(file, options));
                    labels.add(label);
                } catch (InvalidImageException e) {
                    if (options.onInvalid() == OnInvalid.ERROR) {
                        throw e;
                    }
                    skipped++;
                    if (skippedFiles.size() < MAX_REPORTED) {
                        skippedFiles.add(e.getMessage());
                    }
                }
            }
        }
        if (images.isEmpty()) {
            throw new IOException(root + ": no usable .png/.jpg/.jpeg image in " + classDirs.size()
                    + " class folder(s)" + (skipped > 0 ? " (" + skipped + " skipped, e.g. " + skippedFiles.get(0) + ")" : ""));
        }
        int per = options.channels() * options.height() * options.width();
        float[] all = new float[Math.multiplyExact(images.size(), per)];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * per, per);
        }
        INDArray x = Nd4j.create(all, new long[] {images.size(), options.channels(), options.height(), options.width()}, 'c');
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolder(new LabeledImages(x, y), names, skipped, skippedFiles);
    }

    private static List<Path> sorted(Path dir, Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(keep)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** Decodes one file into planar floats of the requested shape, or throws naming it. */
    private static float[] load(Path file, Options o) throws InvalidImageException {
        BufferedImage img = decode(file, o);
        boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(img.getColorModel() instanceof IndexColorModel);
        if (!o.convertColor() && grey != (o.channels() == 1)) {
            throw new InvalidImageException(file, (grey ? "grey" : "colour") + " image but " + o.channels()
                    + " channel(s) requested and colour conversion is off", null);
        }
        float[] px = ImagePixels.planar(img, o.channels());
        int h = img.getHeight();
        int w = img.getWidth();
        if (h == o.height() && w == o.width()) {
            return px;
        }
        float[] out = new float[o.channels() * o.height() * o.width()];
        for (int c = 0; c < o.channels(); c++) {
            float[] plane = new float[h * w];
            System.arraycopy(px, c * h * w, plane, 0, h * w);
            float[] r = Resize.plane(plane, h, w, o.height(), o.width());
            System.arraycopy(r, 0, out, c * r.length, r.length);
        }
        return out;
    }

    private static BufferedImage decode(Path file, Options o) throws InvalidImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidImageException(file, "not a decodable image (no ImageIO decoder recognises it)", null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > MAX_PIXELS || w <= 0 || h <= 0) {
                    throw new InvalidImageException(file, "image size " + w + "x" + h + " (width x height) exceeds "
                            + MAX_PIXELS + " pixels", null);
                }
                if (!o.resize() && (h != o.height() || w != o.width())) {
                    throw new InvalidImageException(file, "image size " + w + "x" + h + " (width x height), expected "
                            + o.width() + "x" + o.height(), null);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new InvalidImageException(file, "decoder returned no image", null);
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(file, "cannot be decoded: " + e, e);
        }
    }
}
