package org.diffusionlabs.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema checks name the parameter, the column and the schema; stacking checks sizes and labels. */
class ImageRowsTest {
    private static String error(StructType schema) {
        return assertThrows(IllegalArgumentException.class, () -> ImageRows.check(schema, "image", "label")).getMessage();
    }

    @Test
    void usableSchemasPass() {
        assertDoesNotThrow(() -> ImageRows.check(SparkFixtures.SCHEMA, "image", "label"));
        assertDoesNotThrow(() -> ImageRows.check(new StructType().add("image", DataTypes.BinaryType)
                .add("label", DataTypes.LongType), "image", "label"));
        assertDoesNotThrow(() -> ImageRows.check(new StructType().add("image",
                DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.ShortType), "image", "label"));
    }

    @Test
    void aMissingColumnIsNamedWithTheSchema() {
        String msg = error(new StructType().add("pixels", DataTypes.BinaryType).add("label", DataTypes.IntegerType));
        assertTrue(msg.contains("imageCol") && msg.contains("image") && msg.contains("pixels:binary"), msg);
        String label = error(new StructType().add("image", DataTypes.BinaryType));
        assertTrue(label.contains("labelCol") && label.contains("no such column"), label);
    }

    @Test
    void wrongColumnTypesAreNamed() {
        String img = error(new StructType().add("image", DataTypes.StringType).add("label", DataTypes.IntegerType));
        assertTrue(img.contains("imageCol") && img.contains("string") && img.contains("array<float>"), img);
        String lab = error(new StructType().add("image", DataTypes.BinaryType).add("label", DataTypes.DoubleType));
        assertTrue(lab.contains("labelCol") && lab.contains("double") && lab.contains("integer"), lab);
    }

    @Test
    void stackingChecksEachRow() {
        assertNull(ImageRows.stack(List.<ImageRow>of().iterator(), 1, 2, 10), "empty partition");
        assertEquals(2, ImageRows.stack(List.of(new ImageRow(new float[4], 0), new ImageRow(new float[4], 9)).iterator(),
                1, 2, 10).size());
        String size = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], 0), new ImageRow(new float[3], 0)).iterator(), 1, 2, 10)).getMessage();
        assertTrue(size.contains("row 1") && size.contains("3 values"), size);
        String label = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], 10)).iterator(), 1, 2, 10)).getMessage();
        assertTrue(label.contains("label 10") && label.contains("10 classes"), label);
    }
}
