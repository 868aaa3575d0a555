package org.diffusionlabs.training;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned class-label encoder of the reference tutorial ({@code nn.Embedding(classes, dim)}, N(0, 1) init): a
 * table whose rows are the conditional inputs of the U-Net, trained jointly with it. Its state-dict name is
 * {@code encoder.weight}.
 */
public final class LabelEmbedding {
    /** State-dict name of the table. */
    public static final String NAME = "encoder.weight";
    private final INDArray table;

    private LabelEmbedding(INDArray table) {
        this.table = table;
    }

    /** A new table [classes, dim] drawn N(0, 1) from {@code rng} (torch's {@code nn.Embedding} init). */
    public static LabelEmbedding create(int classes, int dim, Rng rng) {
        Checks.positive(classes, "LabelEmbedding", "classes");
        Checks.positive(dim, "LabelEmbedding", "dim");
        return new LabelEmbedding(rng.randn(classes, dim));
    }

    /** The table (live array: training updates it in place). */
    public INDArray table() {
        return table;
    }

    public int classes() {
        return Math.toIntExact(table.size(0));
    }

    /** Rows of the table for integer labels [b] (eager, for sampling). */
    public INDArray embed(int[] labels) {
        for (int l : labels) {
            Checks.require(l >= 0 && l < classes(), "LabelEmbedding", "label", l, "must be in [0, " + classes() + ")");
        }
        return table.getRows(labels).castTo(DataType.FLOAT);
    }

    /**
     * In a graph: rows of the table variable {@code encoder.weight} for an integer label vector, as
     * one-hot(labels)·table (SameDiff's {@code gather} has no working backward in ND4J 1.0.0-M2.1).
     */
    public SDVariable build(SameDiff sd, SDVariable labels) {
        SDVariable t = sd.getVariable(NAME) != null ? sd.getVariable(NAME) : sd.var(NAME, table);
        return sd.oneHot(labels, classes(), -1, 1.0, 0.0, DataType.FLOAT).mmul(t);
    }
}
