package org.diffusionlabs.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * Embedding conditioning as a DataFrame transform: turns a column of condition vectors — precomputed text or CLIP
 * embeddings as {@code array<float>}, {@code array<double>} or a Spark ML vector — into the {@code array<float>}
 * column a model conditioned on vectors trains and samples from ({@code DiffusionTrainer}/{@code DiffusionModel}
 * {@code embeddingCol}). Checks the width against the model's {@code embedDim} and that every value is finite;
 * optionally scales each vector to unit L2 norm (CLIP-style embeddings are compared by direction). Nulls, wrong
 * widths, non-finite values and zero vectors to normalize are invalid rows ({@link HandleInvalid}). Params:
 * {@code inputCol} (default embedding), {@code outputCol} (cond), {@code dim} (required), {@code normalize}
 * (default false), {@code handleInvalid}.
 */
public final class EmbeddingConditioning extends ColumnTransformer<EmbeddingConditioning> {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "EmbeddingConditioning";
    private final IntParam dim;
    private final BooleanParam normalize;

    public EmbeddingConditioning(String uid) {
        super(uid, "embedding", "cond");
        dim = new IntParam(this, "dim", "values per condition vector: the U-Net's embedDim (required)",
                ParamChecks.number(OWNER, "dim", n -> n > 0, "must be > 0"));
        normalize = new BooleanParam(this, "normalize", "scale each vector to unit L2 norm");
        setDefault(normalize, false);
    }

    /** A transform for vectors of {@code dim} values (the model's {@code embedDim}). */
    public EmbeddingConditioning(int dim) {
        this(Identifiable.randomUID(OWNER));
        set(this.dim, dim);
    }

    public static MLReader<EmbeddingConditioning> read() {
        return new StageReader<>(EmbeddingConditioning.class);
    }

    public static EmbeddingConditioning load(String path) {
        return read().load(path);
    }

    public IntParam dim() {
        return dim;
    }

    public BooleanParam normalize() {
        return normalize;
    }

    public int getDim() {
        return (Integer) getOrDefault(dim);
    }

    public boolean getNormalize() {
        return (Boolean) getOrDefault(normalize);
    }

    public EmbeddingConditioning setDim(int n) {
        set(dim, n);
        return this;
    }

    /** Scale each vector to unit L2 norm (default false: values pass unchanged, only cast to float). */
    public EmbeddingConditioning setNormalize(boolean n) {
        set(normalize, n);
        return this;
    }

    @Override
    protected String owner() {
        return OWNER;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        required(dim, "setDim");
        String inputCol = getInputCol();
        DataType t = column(schema, inputCol, "inputCol");
        if (!ColumnTypes.floatArray(t) && !ColumnTypes.vector(t)) {
            throw new IllegalArgumentException(OWNER + " parameter inputCol given invalid value " + inputCol
                    + ": column type " + t.simpleString() + " must be array<float>, array<double> or a vector");
        }
        return append(schema, outputFields(schema));
    }

    @Override
    protected List<StructField> outputFields(StructType schema) {
        return List.of(DataTypes.createStructField(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false),
                true));
    }

    @Override
    protected RowFunction rowFunction(StructType schema) {
        String col = getInputCol();
        int idx = schema.fieldIndex(col);
        int n = getDim();
        boolean unit = getNormalize();
        return (row, key) -> {
            float[] v = values(row, idx, col);
            if (v.length != n) {
                throw new InvalidRowException(col + " has " + v.length + " values, expected " + n);
            }
            double sq = 0;
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new InvalidRowException(col + " value " + i + " = " + v[i] + " is not a finite float");
                }
                sq += (double) v[i] * v[i];
            }
            if (unit) {
                if (!(sq > 0) || !Double.isFinite(sq)) {
                    throw new InvalidRowException(col + " has L2 norm " + Math.sqrt(sq) + ": cannot normalize");
                }
                double scale = 1 / Math.sqrt(sq);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (v[i] * scale);
                }
            }
            return new Object[] {boxed(v)};
        };
    }

    /** The cell as floats ({@link ColumnTypes#floats}), a null cell named by its column. */
    private static float[] values(org.apache.spark.sql.Row row, int idx, String col) throws InvalidRowException {
        if (row.isNullAt(idx)) {
            throw new InvalidRowException(col + " is null");
        }
        return ColumnTypes.floats(row, idx);
    }
}
