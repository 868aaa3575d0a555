package org.diffusionlabs.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.recipes.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema checks name the parameter, the column and the schema; stacking checks sizes, labels and vector widths. */
class ImageRowsTest {
    private static final ModelSpec LABELLED = SparkFixtures.model(0, 0);
    private static final ModelSpec VECTORS = SparkFixtures.vectorModel(0, 0);
    private static final ConditionColumn LABEL = ConditionColumn.of("DiffusionTrainer", LABELLED, "label", "embedding");
    private static final ConditionColumn EMBEDDING = ConditionColumn.of("DiffusionTrainer", VECTORS, "label", "embedding");

    private static String error(StructType schema) {
        return error(schema, LABEL);
    }

    private static String error(StructType schema, ConditionColumn cond) {
        return assertThrows(IllegalArgumentException.class, () -> ImageRows.check(schema, "image", cond)).getMessage();
    }

    @Test
    void usableSchemasPass() {
        assertDoesNotThrow(() -> ImageRows.check(SparkFixtures.SCHEMA, "image", LABEL));
        assertDoesNotThrow(() -> ImageRows.check(new StructType().add("image", DataTypes.BinaryType)
                .add("label", DataTypes.LongType), "image", LABEL));
        assertDoesNotThrow(() -> ImageRows.check(new StructType().add("image",
                DataTypes.createArrayType(DataTypes.DoubleType)).add("label", DataTypes.ShortType), "image", LABEL));
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
        assertNull(ImageRows.stack(List.<ImageRow>of().iterator(), 1, 2, LABELLED), "empty partition");
        assertEquals(2, ImageRows.stack(List.of(new ImageRow(new float[4], 0), new ImageRow(new float[4], 9)).iterator(),
                1, 2, LABELLED).size());
        String size = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], 0), new ImageRow(new float[3], 0)).iterator(), 1, 2, LABELLED)).getMessage();
        assertTrue(size.contains("row 1") && size.contains("3 values"), size);
        String label = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], 10)).iterator(), 1, 2, LABELLED)).getMessage();
        assertTrue(label.contains("label 10") && label.contains("10 classes"), label);
        String vector = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], new float[8])).iterator(), 1, 2, LABELLED)).getMessage();
        assertTrue(vector.contains("condition vector") && vector.contains("10 classes"), vector);
    }

    @Test
    void aModelWithoutClassesReadsTheEmbeddingColumn() {
        StructType floats = new StructType().add("image", DataTypes.BinaryType)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
        assertDoesNotThrow(() -> ImageRows.check(floats, "image", EMBEDDING));
        assertDoesNotThrow(() -> ImageRows.check(new StructType().add("image", DataTypes.BinaryType)
                .add("embedding", SQLDataTypes.VectorType()), "image", EMBEDDING));
        String missing = error(SparkFixtures.SCHEMA, EMBEDDING);
        assertTrue(missing.contains("embeddingCol") && missing.contains("no such column")
                && missing.contains("vectors of 8 values"), missing);
        String type = error(new StructType().add("image", DataTypes.BinaryType).add("embedding", DataTypes.IntegerType),
                EMBEDDING);
        assertTrue(type.contains("embeddingCol") && type.contains("int") && type.contains("array<float>"), type);
    }

    @Test
    void stackingVectorsChecksTheirWidth() {
        LabeledImages set = ImageRows.stack(List.of(new ImageRow(new float[4], new float[] {1, 2, 3, 4, 5, 6, 7, 8}),
                new ImageRow(new float[4], new float[8])).iterator(), 1, 2, VECTORS);
        assertArrayEquals(new long[] {2, 8}, set.embeddings().shape());
        assertEquals(8f, set.embeddings().getFloat(0, 7));
        String width = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], new float[7])).iterator(), 1, 2, VECTORS)).getMessage();
        assertTrue(width.contains("row 0") && width.contains("7 condition values") && width.contains("vectors of 8"), width);
        String label = assertThrows(IllegalArgumentException.class, () -> ImageRows.stack(
                List.of(new ImageRow(new float[4], 3)).iterator(), 1, 2, VECTORS)).getMessage();
        assertTrue(label.contains("has a label"), label);
    }
}
