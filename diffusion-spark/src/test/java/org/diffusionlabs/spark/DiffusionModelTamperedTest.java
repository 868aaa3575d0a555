package org.diffusionlabs.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A saved model directory is data: metadata replaced by a Java-serialised {@code int[0x7ffffff0]} (27 bytes that
 * made the earlier reader allocate 8 GB) or by garbage, a tampered spec, or an unknown format fail at once with an
 * error naming the file, and a Java-serialised spec next to the JSON one is never read.
 */
class DiffusionModelTamperedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The 27 bytes of a Java-serialised int[0x7ffffff0]: an int[0] whose length field says 2^31 - 16. */
    static byte[] hugeIntArray() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(new int[0]);
        }
        byte[] b = bytes.toByteArray();
        ByteBuffer.wrap(b).putInt(b.length - 4, 0x7ffffff0);
        assertEquals(27, b.length);
        return b;
    }

    private int copies;

    private Path model() throws IOException {
        Path m = dir.resolve("model" + copies++);
        DiffusionModelFormatFixtureTest.copy(DiffusionModelFormatFixtureTest.fixture("diffusion-model-format2"), m);
        return m;
    }

    private Path metadata(Path model) {
        return model.resolve(StageMetadata.FILE);
    }

    private void edit(Path model, Consumer<ObjectNode> change) throws IOException {
        ObjectNode m = (ObjectNode) JSON.readTree(metadata(model).toFile());
        change.accept(m);
        Files.writeString(metadata(model), JSON.writeValueAsString(m));
    }

    private static String refused(Path model, String... parts) {
        Throwable e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(RuntimeException.class, () -> DiffusionModel.load(model.toUri().toString())));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void metadataReplacedByASerialisedHugeArrayIsNotJson() throws IOException {
        Path m = model();
        Files.write(metadata(m), hugeIntArray());
        refused(m, StageMetadata.FILE, "not JSON");
    }

    @Test
    void metadataReplacedByGarbageIsNotJson() throws IOException {
        Path m = model();
        byte[] junk = new byte[4096];
        new Random(3).nextBytes(junk);
        Files.write(metadata(m), junk);
        refused(m, StageMetadata.FILE, "not JSON");
        Files.writeString(metadata(m), "[1, 2, 3]");
        refused(m, StageMetadata.FILE, "JSON object");
    }

    @Test
    void aSerialisedSpecIsNeverRead() throws IOException {
        Path m = model();
        String blob = Base64.getEncoder().encodeToString(hugeIntArray());
        edit(m, meta -> meta.put("specSerialized", blob));
        DiffusionModel loaded = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> DiffusionModel.load(m.toUri().toString()));
        assertEquals(SparkFixtures.adamW(4, 1, 10), loaded.spec());
        edit(m, meta -> meta.remove("spec"));
        refused(m, StageMetadata.FILE, "spec", "Java-serialised");
    }

    @Test
    void aTamperedSpecOrFieldIsNamed() throws IOException {
        Path m = model();
        edit(m, meta -> ((ObjectNode) meta.get("spec")).put("@class", "java.lang.ProcessBuilder"));
        refused(m, StageMetadata.FILE, "@class");
        m = model();
        edit(m, meta -> ((ObjectNode) meta.get("spec").get("model").get("unet")).put("inChannels", "x"));
        refused(m, "spec", "model.unet.inChannels", "x");
        Path other = model();
        edit(other, meta -> meta.put("imageSize", "eight"));
        refused(other, StageMetadata.FILE, "imageSize", "eight");
    }

    @Test
    void anUnknownFormatIsRefused() throws IOException {
        Path m = model();
        edit(m, meta -> meta.put("format", 99));
        refused(m, "format", "99");
    }

    @Test
    void legacyMetadataReplacedBySerialisedBytesIsNotJson() throws IOException {
        Path m = model();
        Files.delete(metadata(m));
        Files.write(m.resolve(DiffusionModelReader.LEGACY_METADATA), hugeIntArray());
        refused(m, DiffusionModelReader.LEGACY_METADATA, "not JSON");
    }
}
