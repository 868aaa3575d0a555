package org.diffusionlabs.spark;

import org.diffusionlabs.nd.Checks;

/**
 * A {@link RowTransformer} reading one input column and appending one output column, both renamable (Spark ML's
 * {@code inputCol} / {@code outputCol} params); subclasses give the defaults.
 */
public abstract class ColumnTransformer<T extends ColumnTransformer<T>> extends RowTransformer<T> {
    private static final long serialVersionUID = 1L;
    protected String inputCol;
    protected String outputCol;

    protected ColumnTransformer(String inputCol, String outputCol) {
        this.inputCol = inputCol;
        this.outputCol = outputCol;
    }

    public T setInputCol(String c) {
        this.inputCol = Checks.notNull(c, owner(), "inputCol");
        return self();
    }

    public T setOutputCol(String c) {
        this.outputCol = Checks.notNull(c, owner(), "outputCol");
        return self();
    }
}
