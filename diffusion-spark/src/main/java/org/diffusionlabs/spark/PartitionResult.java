package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one partition sends back after its local steps: the state it reached, the examples it trained on (its weight
 * in the average) and the loss terms of each local step; or, when its loss or weights went non-finite, only the
 * reason ({@link #rejected}).
 *
 * @param partition  the partition index
 * @param snapshot   the state after the local steps (null when rejected)
 * @param examples   images consumed over the local steps (0 when rejected)
 * @param stepLosses per local step, the loss terms ("loss", "mse", …) of that step
 * @param rejection  why the contribution is rejected, or null
 */
public final class PartitionResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int partition;
    private final WeightSnapshot snapshot;
    private final long examples;
    private final List<Map<String, Double>> stepLosses;
    private final String rejection;

    // a class, not a record: Spark's Kryo (4.x) cannot create a FieldSerializer for records
    public PartitionResult(int partition, WeightSnapshot snapshot, long examples, List<Map<String, Double>> stepLosses,
                           String rejection) {
        Checks.require(rejection != null || (snapshot != null && examples > 0), "PartitionResult", "snapshot/examples",
                examples, "an accepted contribution needs a snapshot and examples > 0");
        List<Map<String, Double>> copy = new ArrayList<>();
        if (stepLosses != null) {
            stepLosses.forEach(m -> copy.add(new LinkedHashMap<>(m)));
        }
        this.partition = partition;
        this.snapshot = snapshot;
        this.examples = examples;
        this.stepLosses = copy;
        this.rejection = rejection;
    }

    public int partition() {
        return partition;
    }

    public WeightSnapshot snapshot() {
        return snapshot;
    }

    public long examples() {
        return examples;
    }

    public List<Map<String, Double>> stepLosses() {
        return stepLosses;
    }

    public String rejection() {
        return rejection;
    }

    /** A contribution left out of the average. */
    public static PartitionResult rejected(int partition, String reason) {
        return new PartitionResult(partition, null, 0, List.of(), Checks.notNull(reason, "PartitionResult", "reason"));
    }

    public boolean isRejected() {
        return rejection != null;
    }

    /** The sum over local steps of the step loss ("loss"). */
    public double lossSum() {
        return stepLosses.stream().mapToDouble(m -> m.getOrDefault("loss", 0.0)).sum();
    }
}
