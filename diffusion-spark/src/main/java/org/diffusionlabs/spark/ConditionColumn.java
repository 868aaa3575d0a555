package org.diffusionlabs.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.recipes.ModelSpec;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The DataFrame column a model is conditioned on, as its {@link ModelSpec} says: an integer class label
 * ({@code labelCol}) for a model with a learned label embedding, or a condition vector of the U-Net's
 * {@code embedDim} values ({@code embeddingCol}: {@code array<float>}, {@code array<double>} or a Spark ML vector)
 * for a model conditioned on given vectors, such as precomputed text or CLIP embeddings. {@link #check} validates
 * the schema on the driver; {@link #label} and {@link #embedding} read one row's value on an executor. Errors name
 * the owner's parameter, the column and, for rows, where the row is.
 */
final class ConditionColumn implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String owner;
    private final String name;
    private final boolean labels;
    private final int classes;
    private final int dim;

    private ConditionColumn(String owner, String name, boolean labels, int classes, int dim) {
        this.owner = owner;
        this.name = name;
        this.labels = labels;
        this.classes = classes;
        this.dim = dim;
    }

    /** The column of {@code model}: {@code labelCol} when it learns a label embedding, else {@code embeddingCol}. */
    static ConditionColumn of(String owner, ModelSpec model, String labelCol, String embeddingCol) {
        return model.labelConditioned() ? new ConditionColumn(owner, labelCol, true, model.classes(), 0)
                : new ConditionColumn(owner, embeddingCol, false, 0, model.unet().embedDim());
    }

    /** The column's name. */
    String name() {
        return name;
    }

    /** True for integer labels, false for condition vectors. */
    boolean labels() {
        return labels;
    }

    /** Width of a condition vector (0 for labels). */
    int dim() {
        return dim;
    }

    private String param() {
        return labels ? "labelCol" : "embeddingCol";
    }

    /** Throws naming the parameter and column unless {@code schema} has the column with a usable type. */
    void check(StructType schema) {
        if (name == null || !Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(owner + " parameter " + param() + " given invalid value " + name
                    + ": no such column in " + schema.simpleString() + (labels ? ""
                    : " (the model is conditioned on vectors of " + dim + " values, not on labels)"));
        }
        DataType t = schema.apply(name).dataType();
        boolean ok = labels ? ColumnTypes.integer(t) : ColumnTypes.floatArray(t) || ColumnTypes.vector(t);
        if (!ok) {
            throw new IllegalArgumentException(owner + " parameter " + param() + " given invalid value " + name
                    + ": column type " + t.simpleString() + " must be " + (labels ? "an integer type"
                    : "array<float>, array<double> or a vector"));
        }
    }

    /** The label in row {@code r} at {@code idx}, checked against the model's classes; {@code where} names the row. */
    int label(Row r, int idx, String where) {
        if (r.isNullAt(idx)) {
            throw new IllegalArgumentException(owner + ": " + where + " has a null " + name + " (labelCol)");
        }
        long l = ((Number) r.get(idx)).longValue();
        if (l < 0 || l >= classes) {
            throw new IllegalArgumentException(owner + ": " + where + " has " + name + " = " + l
                    + " but the model has " + classes + " classes");
        }
        return (int) l;
    }

    /** The condition vector in row {@code r} at {@code idx}: {@link #dim} finite values; {@code where} names the row. */
    float[] embedding(Row r, int idx, String where) {
        if (r.isNullAt(idx)) {
            throw new IllegalArgumentException(owner + ": " + where + " has a null " + name + " (embeddingCol)");
        }
        float[] v;
        try {
            v = ColumnTypes.floats(r, idx);
        } catch (RowTransformer.InvalidRowException e) {
            throw new IllegalArgumentException(owner + ": " + where + " has " + name + " with " + e.getMessage());
        }
        if (v.length != dim) {
            throw new IllegalArgumentException(owner + ": " + where + " has " + v.length + " values in " + name
                    + " but the model is conditioned on vectors of " + dim);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(owner + ": " + where + " has " + name + " value " + i + " = "
                        + v[i] + ", not finite");
            }
        }
        return v;
    }
}
