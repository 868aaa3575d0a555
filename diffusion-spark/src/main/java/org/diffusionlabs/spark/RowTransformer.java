package org.diffusionlabs.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

/**
 * The base of the row-wise DataFrame transforms ({@link DecodeImages}, {@link ResizeImages}, {@link NormalizeImages},
 * {@link LabelConditioning}, {@link RandomDiffusionStepsTransformer}): a Spark ML {@link Transformer} with a
 * {@code uid}, {@code handleInvalid} as a {@link Param}, {@link #copy} (Spark's {@code defaultCopy}: each subclass has a
 * {@code (String uid)} constructor), persistence ({@link #write}, the subclasses' static {@code read()}/{@code load}),
 * {@link #transformSchema} raising {@link IllegalArgumentException} naming the parameter and column before any Spark
 * job runs, and {@link #transform} appending output columns. Rows that cannot be processed follow
 * {@link HandleInvalid}; a {@link LongAccumulator} counts those skipped or kept ({@link #invalidRows()}). The
 * accumulator is updated in a transformation, so it counts every evaluation: a retried task, or an action that
 * evaluates the rows twice (e.g. {@code orderBy}'s range sampling), counts them again; cache the output for an exact
 * count.
 */
public abstract class RowTransformer<T extends RowTransformer<T>> extends Transformer implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Param<String> handleInvalid;
    private transient LongAccumulator invalid;

    protected RowTransformer(String uid) {
        this.uid = uid;
        this.handleInvalid = new Param<>(this, "handleInvalid", "what to do with a row that cannot be processed: "
                + "error (fail the task naming the row), skip (drop it) or keep (null outputs)",
                ParamChecks.valid(owner(), "handleInvalid", h -> HandleInvalid.parse(h) != null, "must be error, skip or keep"));
        setDefault(handleInvalid, "error");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** A row this transform cannot process, with the reason. */
    public static final class InvalidRowException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidRowException(String why) {
            super(why);
        }
    }

    /** The row-wise work (serialised to executors); {@code key} is the row's key (or its global index when keyed). */
    protected interface RowFunction extends Serializable {
        /** The output values of one row (as many as output fields). */
        Object[] apply(Row row, long key) throws InvalidRowException;
    }

    protected abstract String owner();

    @SuppressWarnings("unchecked")
    protected T self() {
        return (T) this;
    }

    /** {@code error} (default), {@code skip} or {@code keep} (any case). */
    public T setHandleInvalid(String h) {
        set(handleInvalid, h == null ? null : h.toLowerCase(java.util.Locale.ROOT));
        return self();
    }

    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    public String getHandleInvalid() {
        return getOrDefault(handleInvalid);
    }

    /** A copy with the same uid and params, {@code extra} over them. */
    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Saves the params in Spark ML's layout (readable by the subclass's {@code read()} and {@code PipelineModel.load}). */
    @Override
    public MLWriter write() {
        return new StageWriter(this);
    }

    /** Rows skipped or kept invalid by the last {@link #transform} (after an action ran it); 0 before. */
    public long invalidRows() {
        return invalid == null ? 0 : invalid.value();
    }

    /** The output schema; throws {@link IllegalArgumentException} naming the parameter and column. */
    public abstract StructType transformSchema(StructType schema);

    /** The fields appended to the input's (validated by {@link #transformSchema}). */
    protected abstract List<StructField> outputFields(StructType schema);

    /** The work for each row of {@code schema} (called on the driver, after {@link #transformSchema}). */
    protected abstract RowFunction rowFunction(StructType schema);

    /** Null to pass no key (default); a column name, or "" to key rows by their global index (zipWithIndex). */
    protected String keyColumn() {
        return null;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> data = dataset.toDF();
        StructType out = transformSchema(data.schema());
        RowFunction f = rowFunction(data.schema());
        int width = out.size() - data.schema().size();
        HandleInvalid h = HandleInvalid.parse(getHandleInvalid());
        String owner = owner();
        invalid = data.sparkSession().sparkContext().longAccumulator(owner + " invalid rows");
        LongAccumulator counter = invalid;
        String keyCol = keyColumn();
        JavaRDD<Row> rows = data.toJavaRDD();
        JavaRDD<Tuple2<Row, Long>> keyed;
        if (keyCol == null) {
            keyed = rows.map(r -> new Tuple2<>(r, -1L));
        } else if (keyCol.isEmpty()) {
            keyed = rows.zipWithIndex().rdd().toJavaRDD();
        } else {
            int idx = data.schema().fieldIndex(keyCol);
            keyed = rows.map(r -> {
                if (r.isNullAt(idx)) {
                    throw new IllegalArgumentException(owner + ": row " + r + " has a null key column " + keyCol);
                }
                return new Tuple2<>(r, ((Number) r.get(idx)).longValue());
            });
        }
        JavaRDD<Row> result = keyed.mapPartitions(it -> {
            long[] position = {0};
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                    .map(t -> apply(f, t._1(), t._2(), position[0]++, width, h, owner, counter))
                    .filter(Objects::nonNull).iterator();
        });
        return data.sparkSession().createDataFrame(result, out);
    }

    /** One row through {@code f}, or null when it is skipped. */
    private static Row apply(RowFunction f, Row r, long key, long position, int width, HandleInvalid h, String owner,
                             LongAccumulator counter) {
        Object[] values;
        try {
            values = f.apply(r, key);
        } catch (InvalidRowException e) {
            if (h == HandleInvalid.ERROR) {
                throw new IllegalArgumentException(owner + ": row " + position + " of its partition"
                        + (key >= 0 ? " (key " + key + ")" : "") + ": " + e.getMessage()
                        + " (set handleInvalid to skip or keep)", e);
            }
            counter.add(1);
            if (h == HandleInvalid.SKIP) {
                return null;
            }
            values = new Object[width];
        }
        Object[] all = new Object[r.length() + width];
        for (int j = 0; j < r.length(); j++) {
            all[j] = r.get(j);
        }
        System.arraycopy(values, 0, all, r.length(), width);
        return RowFactory.create(all);
    }

    // -------------------------------------------------------------------------------------------- helpers

    protected StructType append(StructType schema, List<StructField> fields) {
        StructType out = schema;
        for (StructField f : fields) {
            if (Arrays.asList(schema.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException(owner() + " output column " + f.name() + " already exists in "
                        + schema.simpleString());
            }
            out = out.add(f);
        }
        return out;
    }

    /** Throws naming {@code param} unless it has a value ({@code setter} sets it). */
    protected void required(Param<?> param, String setter) {
        if (!isDefined(param)) {
            throw new IllegalArgumentException(owner() + " parameter " + param.name() + " given invalid value null: "
                    + "must be set (" + setter + ")");
        }
    }

    protected DataType column(StructType schema, String name, String param) {
        if (name == null || !Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(owner() + " parameter " + param + " given invalid value " + name
                    + ": no such column in " + schema.simpleString());
        }
        return schema.apply(name).dataType();
    }

    protected static Float[] boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

}
