package org.diffusionlabs.spark;

import org.apache.spark.ml.param.Param;

/**
 * A {@link RowTransformer} reading one input column and appending one output column: Spark ML's {@code inputCol} and
 * {@code outputCol} params, whose defaults the subclasses give.
 */
public abstract class ColumnTransformer<T extends ColumnTransformer<T>> extends RowTransformer<T> {
    private static final long serialVersionUID = 1L;
    private final Param<String> inputCol;
    private final Param<String> outputCol;

    protected ColumnTransformer(String uid, String inputDefault, String outputDefault) {
        super(uid);
        this.inputCol = new Param<>(this, "inputCol", "input column name", ParamChecks.column(owner(), "inputCol"));
        this.outputCol = new Param<>(this, "outputCol", "output column name", ParamChecks.column(owner(), "outputCol"));
        setDefault(inputCol, inputDefault);
        setDefault(outputCol, outputDefault);
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public T setInputCol(String c) {
        set(inputCol, c);
        return self();
    }

    public T setOutputCol(String c) {
        set(outputCol, c);
        return self();
    }
}
