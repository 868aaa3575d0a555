package org.diffusionlabs.data;

import java.util.List;

/**
 * The result of {@link ImageFolderReader#read}: the images, the class names (sorted sub-folder names; label i is
 * {@code classNames.get(i)}), the files skipped under {@link OnInvalid#SKIP}: their count and the first
 * {@link SkippedImages#MAX_REPORTED} as "path: reason", and the file of each image read (its path relative to the
 * storage, image i from {@code files.get(i)}), so a caller can go back to one without listing the folder again.
 */
public record ImageFolder(LabeledImages data, List<String> classNames, int skipped, List<String> skippedFiles,
                          List<String> files) {
    public ImageFolder {
        classNames = List.copyOf(classNames);
        skippedFiles = List.copyOf(skippedFiles);
        files = List.copyOf(files);
    }
}
