package org.diffusionlabs.jobs.data;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.SkippedImages;

import java.util.List;

/**
 * The result of {@link ParquetImageReader#read}: the images and labels, the Parquet files read (in order), and the
 * rows skipped under {@code OnInvalid.SKIP}: their count and the first {@link SkippedImages#MAX_REPORTED} as
 * "file row r: reason".
 */
public record ParquetImages(LabeledImages data, List<String> files, int skipped, List<String> skippedRows) {
    public ParquetImages {
        files = List.copyOf(files);
        skippedRows = List.copyOf(skippedRows);
    }
}
