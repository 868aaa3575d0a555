package org.diffusionlabs.data;

import java.util.List;

/**
 * The result of {@link ImageFolderReader#read}: the images, the class names (sorted sub-folder names; label i is
 * {@code classNames.get(i)}), and the files skipped under {@link OnInvalid#SKIP}: their count and the first
 * {@link SkippedImages#MAX_REPORTED} as "path: reason".
 */
public record ImageFolder(LabeledImages data, List<String> classNames, int skipped, List<String> skippedFiles) {
    public ImageFolder {
        classNames = List.copyOf(classNames);
        skippedFiles = List.copyOf(skippedFiles);
    }
}
