package org.diffusionlabs.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffusionlabs.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.diffusionlabs.spark.SparkFixtures.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model directories written by earlier code (committed under {@code src/test/resources/fixtures}, see its README)
 * still load: spec, uid, step, params and weights as saved, and the model samples.
 */
class DiffusionModelFormatFixtureTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(1);

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(DiffusionModelFormatFixtureTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void format2Loads() throws IOException {
        DiffusionModel m = DiffusionModel.load(fixture("diffusion-model-format2").toUri().toString());
        assertEquals("DiffusionModel_fixture2", m.uid());
        assertSaved(m, fixture("diffusion-model-format2"));
    }

    @Test
    void format1Loads() throws IOException {
        Path old = dir.resolve("old");
        copy(fixture("diffusion-model-format2").resolve(DiffusionModelWriter.CHECKPOINTS), old.resolve(DiffusionModelWriter.CHECKPOINTS));
        Files.copy(fixture("diffusion-model-format1.metadata.json"), old.resolve(DiffusionModelReader.LEGACY_METADATA));
        assertSaved(DiffusionModel.load(old.toUri().toString()), old);
    }

    private static void assertSaved(DiffusionModel m, Path root) throws IOException {
        assertEquals(SparkFixtures.adamW(4, 1, 10), m.spec());
        assertEquals(SparkFixtures.SIZE, m.imageSize());
        assertEquals(3, m.step());
        assertEquals(1, m.rejectedContributions());
        assertEquals("ddpm", m.getSampler());
        assertEquals(4, m.getSteps());
        assertEquals(11, m.getSeed());
        assertEquals(1.5, m.getGuidance());
        assertEquals("id", m.getKeyCol());
        assertEquals(3, m.getBatchSize());
        assertEquals("model", m.getSampleWeights());
        Path step = root.resolve(DiffusionModelWriter.CHECKPOINTS).resolve("step-3");
        Map<String, INDArray> trained = new LinkedHashMap<>(Safetensors.read(step.resolve("model.safetensors")));
        trained.putAll(Safetensors.read(step.resolve("extra.safetensors")));
        trained.remove("eval_unconditional_embedding.digit"); // the sampling copy of the trained null embedding
        assertBitEqual(trained, m.weights(), "weights");
        assertBitEqual(Safetensors.read(step.resolve("ema.safetensors")), m.emaWeights(), "ema");
        StructType schema = new StructType().add("label", DataTypes.IntegerType, false).add("id", DataTypes.LongType, false);
        Dataset<Row> conds = SPARK.session().createDataFrame(List.of(RowFactory.create(3, 1L), RowFactory.create(7, 2L)), schema);
        List<Row> out = m.transform(conds).collectAsList();
        assertEquals(2, out.size());
        assertTrue(((byte[]) out.get(0).getAs("image_png")).length > 0);
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
