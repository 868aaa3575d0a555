package org.diffusionlabs.jobs.data;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageHeader;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;

import java.util.Set;

/**
 * An image stored as a Parquet list of numbers (INT32, INT64, FLOAT or DOUBLE; the standard three-level LIST Spark
 * writes for {@code array<float>}, the legacy two-level list, or a bare repeated field). The list is one square image
 * flattened channel-first ({@code [channels][side][side]}, as {@code torch.Tensor.flatten()} gives): its length n is
 * {@code side²} (grey) or {@code 3·side²} (RGB), which cannot both hold. Values are divided by {@code pixelMax}
 * (255 for 0..255 data, 1 for 0..1 data); a value outside {@code [0, pixelMax]}, NaN or a null element makes the row
 * invalid.
 */
final class NumberImages {
    private static final Set<PrimitiveTypeName> NUMERIC = Set.of(PrimitiveTypeName.INT32, PrimitiveTypeName.INT64,
            PrimitiveTypeName.FLOAT, PrimitiveTypeName.DOUBLE);

    /** How the numbers sit in the column: a bare repeated field, or a LIST of two or three levels. */
    private enum Layout { REPEATED, TWO_LEVEL, THREE_LEVEL }

    private final Layout layout;
    private final PrimitiveTypeName type;
    private final double pixelMax;

    private NumberImages(Layout layout, PrimitiveTypeName type, double pixelMax) {
        this.layout = layout;
        this.type = type;
        this.pixelMax = pixelMax;
    }

    /** The list reading of a column, or null when the column is not a list. */
    static NumberImages of(Type column, double pixelMax) {
        Type element;
        Layout layout;
        if (column.isPrimitive()) {
            if (!column.isRepetition(Type.Repetition.REPEATED)) {
                return null;
            }
            element = column;
            layout = Layout.REPEATED;
        } else {
            GroupType g = column.asGroupType();
            boolean list = LogicalTypeAnnotation.listType().equals(g.getLogicalTypeAnnotation())
                    || (g.getFieldCount() == 1 && g.getType(0).isRepetition(Type.Repetition.REPEATED));
            if (!list || g.getFieldCount() != 1) {
                return null;
            }
            Type repeated = g.getType(0);
            if (repeated.isPrimitive()) {
                element = repeated;
                layout = Layout.TWO_LEVEL;
            } else if (repeated.asGroupType().getFieldCount() == 1) {
                element = repeated.asGroupType().getType(0);
                layout = Layout.THREE_LEVEL;
            } else {
                return null;
            }
        }
        if (!element.isPrimitive() || !NUMERIC.contains(element.asPrimitiveType().getPrimitiveTypeName())) {
            throw new IllegalArgumentException("a list of " + element + " is not a list of numbers "
                    + "(int32, int64, float or double)");
        }
        return new NumberImages(layout, element.asPrimitiveType().getPrimitiveTypeName(), pixelMax);
    }

    /** The image of one row, fitted to the options. */
    float[] pixels(Group row, String column, String file, long index, ImageOptions o) throws InvalidImageException {
        Group holder = row;
        int field = row.getType().getFieldIndex(column);
        if (layout != Layout.REPEATED) {
            if (row.getFieldRepetitionCount(field) == 0) {
                throw new InvalidImageException(file, index, "image is null", null);
            }
            holder = row.getGroup(field, 0);
            field = 0;
        }
        int n = holder.getFieldRepetitionCount(field);
        long side = Math.round(Math.sqrt(n));
        long third = Math.round(Math.sqrt(n / 3.0));
        int channels = n > 0 && side * side == n ? 1 : n > 0 && 3 * third * third == n ? 3 : 0;
        if (channels == 0) {
            throw new InvalidImageException(file, index, "list of " + n + " numbers is not a square image "
                    + "(side² numbers for grey, 3·side² for RGB, channel-first)", null);
        }
        int s = (int) (channels == 1 ? side : third);
        ImageHeader.checkPixels(s, s, file, index);
        float[] px = new float[n];
        for (int i = 0; i < n; i++) {
            double v = value(holder, field, i, file, index);
            if (!(v >= 0 && v <= pixelMax)) {
                throw new InvalidImageException(file, index, "value " + v + " at index " + i + " is outside [0, "
                        + pixelMax + "] (the white value pixel_max is " + pixelMax + ")", null);
            }
            px[i] = (float) (v / pixelMax);
        }
        return ImageDecoder.fit(px, channels, s, s, file, index, o);
    }

    private double value(Group holder, int field, int i, String file, long index) throws InvalidImageException {
        Group at = holder;
        int f = field;
        int k = i;
        if (layout == Layout.THREE_LEVEL) {
            at = holder.getGroup(field, i);
            f = 0;
            k = 0;
            if (at.getFieldRepetitionCount(0) == 0) {
                throw new InvalidImageException(file, index, "null number at index " + i, null);
            }
        }
        return switch (type) {
            case INT32 -> at.getInteger(f, k);
            case INT64 -> at.getLong(f, k);
            case FLOAT -> at.getFloat(f, k);
            default -> at.getDouble(f, k);
        };
    }
}
