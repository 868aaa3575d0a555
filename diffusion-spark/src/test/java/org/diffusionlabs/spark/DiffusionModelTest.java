package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.io.CheckpointStore;
import org.diffusionlabs.io.LocalStorage;
import org.diffusionlabs.recipes.TrainingSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.diffusionlabs.spark.SparkFixtures.SIZE;
import static org.diffusionlabs.spark.SparkFixtures.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch sampling over a DataFrame of conditions: one PNG per row, byte-identical whatever the partitioning, batch
 * size or re-execution; schema errors name the column before any job; save / load round trip.
 */
class DiffusionModelTest {
    private static final StructType CONDS = new StructType()
            .add("label", DataTypes.IntegerType, false)
            .add("id", DataTypes.LongType, false);
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);
    private static DiffusionModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        TrainingSpec spec = SparkFixtures.adamW(4, 1, 10);
        model = new DiffusionModel(spec, SIZE, WeightSnapshot.capture(spec.build(), false), 0, 0)
                .setSampler("ddpm").setSteps(4).setSeed(11).setGuidance(1.5);
    }

    private static Dataset<Row> conds(int n, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(i % 10, 100L + i));
        }
        return SPARK.session().createDataFrame(rows, CONDS)
                .repartitionByRange(partitions, org.apache.spark.sql.functions.col("id")).sortWithinPartitions("id");
    }

    private static List<byte[]> pngs(Dataset<Row> out) {
        List<byte[]> list = new ArrayList<>();
        for (Row r : out.orderBy("id").collectAsList()) {
            list.add(r.getAs("image_png"));
        }
        return list;
    }

    @Test
    void oneImagePerRowIndependentOfPartitioningAndBatching() throws IOException {
        Dataset<Row> one = conds(7, 1);
        Dataset<Row> three = conds(7, 3);
        assertEquals(3, three.rdd().getNumPartitions());
        DiffusionModel m = model.copy(ParamMap.empty()).setKeyCol("id").setRawCol("image").setBatchSize(4);
        Dataset<Row> a = m.transform(one);
        assertEquals(List.of("label", "id", "image_png", "image"), List.of(a.schema().fieldNames()));
        List<Row> rowsA = a.orderBy("id").collectAsList();
        List<Row> rowsB = m.transform(three).orderBy("id").collectAsList();
        assertEquals(7, rowsA.size());
        for (int i = 0; i < 7; i++) {
            byte[] png = rowsA.get(i).getAs("image_png");
            assertArrayEquals(png, (byte[]) rowsB.get(i).getAs("image_png"), "row " + i);
            assertEquals(rowsA.get(i).getList(3), rowsB.get(i).getList(3), "raw row " + i);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(SIZE, img.getWidth());
            assertEquals(SIZE, img.getHeight());
            assertEquals(SIZE * SIZE, rowsA.get(i).getList(3).size());
        }
        // different keys, different images
        assertFalse(java.util.Arrays.equals((byte[]) rowsA.get(0).getAs("image_png"),
                (byte[]) rowsA.get(1).getAs("image_png")));
        // re-running (every partition re-executed) yields the same bytes
        List<byte[]> again = pngs(m.transform(three));
        for (int i = 0; i < 7; i++) {
            assertArrayEquals((byte[]) rowsA.get(i).getAs("image_png"), again.get(i), "rerun row " + i);
        }
    }

    @Test
    void withoutAKeyColumnRowsAreKeyedByTheirGlobalIndex() {
        DiffusionModel m = model.copy(ParamMap.empty()).setSampler("ddim").setSteps(3).setEta(0.5);
        List<byte[]> a = pngs(m.transform(conds(5, 1)));
        List<byte[]> b = pngs(m.transform(conds(5, 2)));
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.get(i), b.get(i), "row " + i);
        }
    }

    @Test
    void schemaErrorsNameTheColumnBeforeAnyJob() {
        StructType noLabel = new StructType().add("digit", DataTypes.IntegerType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.transformSchema(noLabel));
        assertTrue(e.getMessage().contains("labelCol") && e.getMessage().contains("label"), e.getMessage());
        StructType stringLabel = new StructType().add("label", DataTypes.StringType);
        e = assertThrows(IllegalArgumentException.class, () -> model.transformSchema(stringLabel));
        assertTrue(e.getMessage().contains("labelCol") && e.getMessage().contains("string"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.copy(ParamMap.empty()).setKeyCol("key").transformSchema(CONDS));
        assertTrue(e.getMessage().contains("keyCol") && e.getMessage().contains("key"), e.getMessage());
        StructType taken = CONDS.add("image_png", DataTypes.BinaryType);
        e = assertThrows(IllegalArgumentException.class, () -> model.transformSchema(taken));
        assertTrue(e.getMessage().contains("outputCol"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.copy(ParamMap.empty()).setSampler("euler"));
        assertThrows(IllegalArgumentException.class, () -> model.copy(ParamMap.empty()).setSteps(0));
        // transform validates before running anything
        long jobs = SPARK.session().sparkContext().statusTracker().getJobIdsForGroup(null).length;
        Dataset<Row> bad = SPARK.session().createDataFrame(List.of(RowFactory.create("3")), stringLabel);
        assertThrows(IllegalArgumentException.class, () -> model.transform(bad));
        assertEquals(jobs, SPARK.session().sparkContext().statusTracker().getJobIdsForGroup(null).length);
    }

    @Test
    void saveAndLoadRoundTrip() throws IOException {
        DiffusionModel m = model.copy(ParamMap.empty()).setKeyCol("id").setBatchSize(3).setSampleWeights("model");
        String path = dir.resolve("model").toUri().toString();
        m.write().save(path);
        assertTrue(Files.exists(dir.resolve("model").resolve(StageMetadata.FILE)));
        assertFalse(new CheckpointStore(new LocalStorage(dir.resolve("model").resolve(DiffusionModelWriter.CHECKPOINTS)), 1)
                .steps().isEmpty());
        assertThrows(IOException.class, () -> m.write().save(path));
        m.write().overwrite().save(path);
        DiffusionModel back = DiffusionModel.load(path);
        assertEquals(m.uid(), back.uid());
        assertSameModel(m, back);
    }

    /**
     * A model saved by the earlier DiffusionModel.save (format 1: metadata.json, params under "params") loads; see also
     * DiffusionModelFormatFixtureTest, with directories written by that code.
     */
    @Test
    void loadsTheEarlierFormat() throws IOException {
        DiffusionModel m = model.copy(ParamMap.empty()).setKeyCol("id").setBatchSize(3).setSampleWeights("model");
        Path saved = dir.resolve("old");
        m.write().save(saved.toUri().toString());
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(saved.resolve(StageMetadata.FILE).toFile());
        ObjectNode legacy = json.createObjectNode().put("class", DiffusionModel.class.getName()).put("format", 1)
                .put("imageSize", SIZE).put("step", 0).put("rejectedContributions", 0);
        legacy.putObject("params").put("labelCol", "label").put("keyCol", "id").put("outputCol", "image_png")
                .putNull("rawCol").put("sampler", "ddpm").put("steps", 4).put("eta", 0.0).put("guidance", 1.5)
                .put("seed", 11L).put("batchSize", 3).put("weights", "model");
        legacy.set("spec", meta.get("spec"));
        Files.delete(saved.resolve(StageMetadata.FILE));
        Files.delete(saved.resolve(StageMetadata.DIR));
        json.writeValue(saved.resolve(DiffusionModelReader.LEGACY_METADATA).toFile(), legacy);
        assertSameModel(m, DiffusionModel.load(saved.toUri().toString()));
    }

    private void assertSameModel(DiffusionModel m, DiffusionModel back) {
        assertBitEqual(m.weights(), back.weights(), "weights");
        assertBitEqual(m.emaWeights(), back.emaWeights(), "ema");
        assertEquals(m.getSampler(), back.getSampler());
        assertEquals(m.getSteps(), back.getSteps());
        assertEquals(m.getGuidance(), back.getGuidance());
        assertEquals(m.getKeyCol(), back.getKeyCol());
        assertEquals(m.getBatchSize(), back.getBatchSize());
        assertEquals(m.getSampleWeights(), back.getSampleWeights());
        assertEquals(m.spec(), back.spec());
        Dataset<Row> c = conds(3, 1);
        List<byte[]> want = pngs(m.transform(c));
        List<byte[]> got = pngs(back.transform(c));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(want.get(i), got.get(i), "row " + i);
        }
        assertNotNull(back.build());
    }
}
