package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.diffusionlabs.io.Checkpoint;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.recipes.TrainingSpec;
import org.diffusionlabs.training.DataCursor;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never reach a run directory or a log: the {@code config.json} of the run and of its checkpoints, the
 * commands' stderr and the log lines of {@code conf/log4j2.properties} show {@code ***} for credentials in URIs and
 * for the values of secret-named keys.
 */
class SecretRedactionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "pa55wordXYZ";
    private static final String LABELS = "https://reader:" + PASSWORD + "@labels.example/train-labels.idx";

    @TempDir
    Path dir;

    @Test
    void aRunDirectoryHoldsNoCredentials() throws IOException {
        Path run = dir.resolve("run");
        String[] args = TinyTrainArgs.tiny().set("data.labels", "\"" + LABELS + "\"")
                .toArray("--max-steps", "2");
        String[] all = Stream.concat(Stream.of("train", "--out", run.toString()), Stream.of(args)).toArray(String[]::new);
        Cli.Result r = Cli.run(all);
        assertEquals(0, r.code(), r::toString);
        List<Path> configs;
        try (Stream<Path> files = Files.walk(run)) {
            configs = files.filter(p -> p.getFileName().toString().equals(TrainingCheckpoint.CONFIG)).toList();
        }
        assertTrue(configs.size() >= 2, "the run's and its checkpoints' config.json: " + configs);
        for (Path c : configs) {
            String text = Files.readString(c);
            assertFalse(text.contains(PASSWORD), c + ":\n" + text);
            assertEquals("https://***@labels.example/train-labels.idx", JSON.readTree(text).at("/data/labels").asText(), c.toString());
        }
        assertFalse(r.err().contains(PASSWORD), r::toString);
    }

    @Test
    void theRecipesJsonMasksSecretNamedKeys() {
        TrainRecipe recipe = new TrainRecipe(ConfigFactory.parseString("extra { api_token = \"hf_abc\", password = 5 }")
                .withFallback(JobConfigs.load("mnist.conf", null, List.of("data.source=\"s3a://AKIAEXAMPLE:"
                        + PASSWORD + "@bucket/mnist\""))));
        String json = recipe.json();
        assertFalse(json.contains(PASSWORD) || json.contains("hf_abc"), json);
        assertTrue(json.contains("s3a://***@bucket/mnist"), json);
    }

    @Test
    void aCheckpointsConfigIsMaskedWhoeverCapturesIt() throws IOException {
        TrainingSpec spec = new TrainRecipe(JobConfigs.load("mnist.conf", null, List.of("model.num_resize=0",
                "model.time_embed_dim=16", "model.cond_embed_dim=32", "model.embed_dim=8"))).training();
        TrainingSpec.Built b = spec.build();
        Checkpoint cp = TrainingCheckpoint.capture(b.step(), b.ema(), new Trainer.State(0, DataCursor.start(1, 1),
                spec.seed(), 0), "{\"hadoop\": {\"fs.s3a.secret.key\": \"" + PASSWORD + "\"}, \"out\": \"" + LABELS
                + "\"}", Map.of());
        JsonNode config = JSON.readTree(cp.jsonFiles().get(TrainingCheckpoint.CONFIG));
        assertEquals("***", config.at("/hadoop/fs.s3a.secret.key").asText());
        assertEquals("https://***@labels.example/train-labels.idx", config.get("out").asText());
    }

    @Test
    void errorsAndProgressOnStderrAreRedacted() {
        String run = "file://AKIAEXAMPLE:" + PASSWORD + "@localhost" + dir.resolve("nothing");
        Cli.Result r = Cli.run("sample", "--checkpoint", run, "--out", dir.resolve("out").toString());
        assertEquals(Command.FAILURE, r.code(), r::toString);
        assertFalse(r.err().contains(PASSWORD), r::toString);
        assertTrue(r.err().contains("file://***@localhost"), r::toString);

    }

    @Test
    void logLinesOfTheShippedLog4jConfigurationAreRedacted() throws IOException {
        Properties conf = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("../conf/log4j2.properties"))) {
            conf.load(in);
        }
        PatternLayout layout = PatternLayout.newBuilder().withPattern(conf.getProperty("appender.console.layout.pattern"))
                .build();
        String logged = layout.toSerializable(Log4jLogEvent.newBuilder().setLevel(Level.WARN).setLoggerName("t")
                .setMessage(new SimpleMessage("skipping checkpoint s3a://AKIAEXAMPLE:" + PASSWORD + "@bucket/run/step-2, "
                        + "fs.s3a.secret.key=" + PASSWORD)).build());
        assertTrue(logged.contains("skipping checkpoint s3a://***@bucket/run/step-2, fs.s3a.secret.key=***"), logged);
        assertFalse(logged.contains(PASSWORD), logged);
    }
}
