package org.diffusionlabs.data;

import org.diffusionlabs.nd.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies an {@link OnInvalid} policy to the invalid images a reader meets: under ERROR the first one is thrown,
 * under SKIP they are counted and the first {@link #MAX_REPORTED} messages kept, so a run can report what it left
 * out without an unbounded list.
 */
public final class SkippedImages {
    /** How many messages {@link #examples()} keeps at most. */
    public static final int MAX_REPORTED = 10;
    private final OnInvalid policy;
    private final List<String> examples = new ArrayList<>();
    private int count;

    public SkippedImages(OnInvalid policy) {
        this.policy = Checks.notNull(policy, "SkippedImages", "policy");
    }

    /** Throws {@code e} under ERROR; counts it under SKIP. */
    public void add(InvalidImageException e) throws InvalidImageException {
        if (policy == OnInvalid.ERROR) {
            throw e;
        }
        count++;
        if (examples.size() < MAX_REPORTED) {
            examples.add(e.getMessage());
        }
    }

    /** How many images were skipped. */
    public int count() {
        return count;
    }

    /** The messages of the first {@link #MAX_REPORTED} skipped images ("file[ row r]: why"). */
    public List<String> examples() {
        return List.copyOf(examples);
    }
}
