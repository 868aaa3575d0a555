package org.diffusionlabs.jobs.data;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.diffusionlabs.data.ImageDecoder;
import org.diffusionlabs.data.ImageOptions;
import org.diffusionlabs.data.InvalidImageException;

/**
 * The image column of a Parquet file and how its values become images, detected from the file's schema:
 * <ul>
 *   <li>{@code BYTES}: binary holding an encoded image (PNG, JPEG: anything {@code javax.imageio} decodes);</li>
 *   <li>{@code BYTES_STRUCT}: a struct whose binary {@code bytes} field holds one (Hugging Face datasets' Image
 *       feature, {@code {bytes, path}});</li>
 *   <li>{@code SPARK_IMAGE}: Spark's image struct ({@link SparkImageStruct});</li>
 *   <li>{@code NUMBERS}: a list of numbers ({@link NumberImages}).</li>
 * </ul>
 * Any other type is an error naming the file, the column and its type.
 */
final class ParquetImageColumn {
    /** How the column stores images. */
    enum Encoding { BYTES, BYTES_STRUCT, SPARK_IMAGE, NUMBERS }

    final String name;
    final Encoding encoding;
    private final NumberImages numbers;

    private ParquetImageColumn(String name, Encoding encoding, NumberImages numbers) {
        this.name = name;
        this.encoding = encoding;
        this.numbers = numbers;
    }

    /** The column {@code name} of {@code schema} (checked to exist by the caller). */
    static ParquetImageColumn of(MessageType schema, String name, String file, double pixelMax) {
        Type t = schema.getType(name);
        try {
            NumberImages list = NumberImages.of(t, pixelMax);
            if (list != null) {
                return new ParquetImageColumn(name, Encoding.NUMBERS, list);
            }
        } catch (IllegalArgumentException e) {
            throw unsupported(file, t, e.getMessage());
        }
        if (t.isPrimitive()) {
            if (t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY) {
                return new ParquetImageColumn(name, Encoding.BYTES, null);
            }
            throw unsupported(file, t, "a single " + t.asPrimitiveType().getPrimitiveTypeName() + " is not an image");
        }
        GroupType g = t.asGroupType();
        if (SparkImageStruct.matches(g)) {
            return new ParquetImageColumn(name, Encoding.SPARK_IMAGE, null);
        }
        if (g.containsField("bytes") && g.getType("bytes").isPrimitive()
                && g.getType("bytes").asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY) {
            return new ParquetImageColumn(name, Encoding.BYTES_STRUCT, null);
        }
        throw unsupported(file, t, "a struct without Spark's image fields or a binary 'bytes' field");
    }

    private static IllegalArgumentException unsupported(String file, Type t, String why) {
        return new IllegalArgumentException(file + ": image column '" + t.getName() + "' has type "
                + t.toString().replaceAll("\\s+", " ").trim() + ": " + why + "; expected binary PNG/JPEG bytes, "
                + "a list of numbers, Spark's image struct or a struct with a binary 'bytes' field");
    }

    /** The image of one row (0-based {@code index} in {@code file}), fitted to the options. */
    float[] pixels(Group row, String file, long index, ImageOptions o) throws InvalidImageException {
        if (encoding == Encoding.NUMBERS) {
            return numbers.pixels(row, name, file, index, o);
        }
        if (row.getFieldRepetitionCount(name) == 0) {
            throw new InvalidImageException(file, index, "image is null", null);
        }
        return switch (encoding) {
            case BYTES -> ImageDecoder.decode(row.getBinary(name, 0).getBytes(), file, index, o);
            case BYTES_STRUCT -> {
                Group s = row.getGroup(name, 0);
                if (s.getFieldRepetitionCount("bytes") == 0) {
                    throw new InvalidImageException(file, index, "image struct has null bytes", null);
                }
                yield ImageDecoder.decode(s.getBinary("bytes", 0).getBytes(), file, index, o);
            }
            default -> SparkImageStruct.pixels(row.getGroup(name, 0), file, index, o);
        };
    }
}
