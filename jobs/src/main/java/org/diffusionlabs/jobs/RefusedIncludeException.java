package org.diffusionlabs.jobs;

/**
 * A configuration file asked to include something it may not: anything at all when it comes from a run directory,
 * checkpoint or saved model (data written elsewhere, {@link StoredConfigs}), a URL anywhere ({@link ConfigIncludes}).
 * The message names the file and the include; nothing was fetched or read for it.
 */
public final class RefusedIncludeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RefusedIncludeException(String file, String include, String why) {
        super(file + ": " + include + " refused: " + why);
    }
}
