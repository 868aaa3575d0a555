package org.diffusionlabs.data;

/**
 * What a reader does with an image file it cannot use (undecodable, corrupt, wrong size or channels):
 * fail naming the file, or skip it and report it in the result.
 */
public enum OnInvalid {
    /** Throw an {@link InvalidImageException} naming the first bad file. */
    ERROR,
    /** Skip bad files; the result counts them and names the first few. */
    SKIP
}
