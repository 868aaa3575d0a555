package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.testing.FaultFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile {@code sample --model DIR} of issue 15: a saved model whose metadata carries a Java-serialised
 * {@code int[0x7ffffff0]} (27 bytes that asked the earlier reader for 8 GB) ends at once with an error naming the
 * file, exit 1, and no out-of-memory; so does metadata replaced by those bytes. Uses the committed format-2 fixture.
 */
@Timeout(60)
@Tag("fault")
class SampleTamperedModelTest {
    private static final Path FIXTURE = Path.of("../diffusion-spark/src/test/resources/fixtures/diffusion-model-format2");
    private static final String METADATA = "metadata/part-00000";

    @TempDir
    Path dir;

    private static byte[] hugeIntArray() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(new int[0]);
        }
        byte[] b = bytes.toByteArray();
        ByteBuffer.wrap(b).putInt(b.length - 4, 0x7ffffff0);
        return b;
    }

    private Path model() throws IOException {
        Path m = dir.resolve("model");
        try (Stream<Path> all = Files.walk(FIXTURE)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = m.resolve(FIXTURE.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return m;
    }

    private Cli.Result sample(Path model) {
        return Cli.run("sample", "--master", "local[1]", "--model", model.toString(), "--conditions",
                dir.resolve("conds.parquet").toString(), "--out", dir.resolve("out.parquet").toString());
    }

    private static void assertRefused(Cli.Result r, String... parts) {
        assertEquals(Command.FAILURE, r.code(), r::toString);
        assertFalse(r.err().contains("out of memory"), r::toString);
        for (String p : parts) {
            assertTrue(r.err().contains(p), () -> "'" + p + "' not in:\n" + r);
        }
    }

    @Test
    void aSerialisedSpecInTheMetadataIsNeverDeserialised() throws IOException {
        Path m = model();
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = (ObjectNode) json.readTree(m.resolve(METADATA).toFile());
        meta.put("specSerialized", Base64.getEncoder().encodeToString(hugeIntArray()));
        meta.remove("spec");
        Files.writeString(m.resolve(METADATA), json.writeValueAsString(meta));
        assertRefused(sample(m), METADATA, "no JSON \"spec\"", "never read");
    }

    @Test
    void metadataReplacedBySerialisedBytesIsNotJson() throws IOException {
        Path m = model();
        Files.write(m.resolve(METADATA), hugeIntArray());
        assertRefused(sample(m), METADATA, "not JSON");
        FaultFigures.record("hostile-model", "hostile saved model: metadata carrying a Java-serialised int[0x7ffffff0]",
                "SampleTamperedModelTest (both cases)", String.format("%d-byte payload, in the JSON and as the whole "
                        + "file: 2 of 2 refused with exit 1, nothing deserialised", hugeIntArray().length));
    }
}
