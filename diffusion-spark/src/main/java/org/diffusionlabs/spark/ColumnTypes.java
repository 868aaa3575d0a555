package org.diffusionlabs.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

import java.util.List;

/**
 * The column types the stages accept and how a cell of them is read: integer columns (labels, keys), float arrays
 * ({@code array<float>}/{@code array<double>}: images, pixels, condition vectors) and Spark ML vectors. One place, so
 * every stage accepts and reads the same types the same way.
 */
final class ColumnTypes {
    private ColumnTypes() {}

    /** byte, short, int or long. */
    static boolean integer(DataType t) {
        return t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType;
    }

    /** {@code array<float>} or {@code array<double>}. */
    static boolean floatArray(DataType t) {
        return t instanceof ArrayType a && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType);
    }

    /** A Spark ML vector. */
    static boolean vector(DataType t) {
        return t.equals(SQLDataTypes.VectorType());
    }

    /**
     * A float/double array cell, or a vector cell, as float[] (doubles beyond float range become infinite); a null
     * cell or a null element is an invalid row.
     */
    static float[] floats(Row r, int idx) throws RowTransformer.InvalidRowException {
        if (r.isNullAt(idx)) {
            throw new RowTransformer.InvalidRowException("null value");
        }
        if (r.get(idx) instanceof Vector vec) {
            double[] d = vec.toArray();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        List<?> values = r.getList(idx);
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = values.get(i);
            if (v == null) {
                throw new RowTransformer.InvalidRowException("element " + i + " is null");
            }
            out[i] = ((Number) v).floatValue();
        }
        return out;
    }
}
