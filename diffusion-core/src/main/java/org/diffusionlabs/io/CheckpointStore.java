package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Checkpoints as directories {@code step-<N>/} under a {@link Storage} root. Every file is written first and the
 * {@code manifest.json} (sizes and SHA-256 of every file) last: a checkpoint counts only when its manifest exists and
 * every file matches it, so a crash during a save can never produce a "latest" that does not load. After a save,
 * only then, checkpoints beyond the newest {@code keepLast} are deleted. {@link #latest} walks back from the newest
 * step, reporting each incomplete or corrupted checkpoint by name and skipping it.
 */
public final class CheckpointStore {
    /** Name of the manifest file inside a checkpoint directory. */
    public static final String MANIFEST = "manifest.json";
    static final String FORMAT = "diffusion-labs-checkpoint/1";
    private static final String PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Storage storage;
    private final int keepLast;

    /** @param keepLast how many complete checkpoints to keep (>= 1) */
    public CheckpointStore(Storage storage, int keepLast) {
        this.storage = Checks.notNull(storage, "CheckpointStore", "storage");
        this.keepLast = Checks.positive(keepLast, "CheckpointStore", "keepLast");
    }

    /** The directory name of a step's checkpoint. */
    public static String directory(long step) {
        return PREFIX + step;
    }

    /** Writes a checkpoint (files, then the manifest), then prunes old ones; returns its directory name. */
    public String save(Checkpoint cp) throws IOException {
        String dir = directory(cp.step());
        storage.delete(dir + "/" + MANIFEST); // an earlier checkpoint of this step is invalid from here on
        ObjectNode files = JSON.createObjectNode();
        for (Map.Entry<String, Map<String, INDArray>> e : cp.tensorFiles().entrySet()) {
            MessageDigest digest = sha256();
            try (DigestOutputStream out = new DigestOutputStream(storage.create(dir + "/" + e.getKey()), digest)) {
                Safetensors.write(e.getValue(), Map.of("format", FORMAT, "step", Long.toString(cp.step())), out);
            }
            record(files, e.getKey(), dir, digest); // after close: remote file systems report the length only then
        }
        for (Map.Entry<String, String> e : cp.jsonFiles().entrySet()) {
            MessageDigest digest = sha256();
            try (DigestOutputStream out = new DigestOutputStream(storage.create(dir + "/" + e.getKey()), digest)) {
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            record(files, e.getKey(), dir, digest);
        }
        ObjectNode manifest = JSON.createObjectNode().put("format", FORMAT).put("step", cp.step());
        manifest.set("files", files);
        try (OutputStream out = storage.create(dir + "/" + MANIFEST)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        }
        prune(cp.step());
        return dir;
    }

    private void record(ObjectNode files, String name, String dir, MessageDigest digest) throws IOException {
        files.putObject(name).put("bytes", storage.length(dir + "/" + name))
                .put("sha256", HexFormat.of().formatHex(digest.digest()));
    }

    /** Steps that have a directory (complete or not), ascending. */
    public List<Long> steps() throws IOException {
        List<Long> steps = new ArrayList<>();
        for (String name : storage.list("")) {
            if (name.startsWith(PREFIX)) {
                try {
                    steps.add(Long.parseLong(name.substring(PREFIX.length())));
                } catch (NumberFormatException e) {
                    // not ours (e.g. step-foo): ignore
                }
            }
        }
        steps.sort(null);
        return steps;
    }

    /**
     * The newest checkpoint that loads and matches its manifest; every newer one that does not is reported to
     * {@code skipped} with the reason (naming the directory and file) and passed over.
     */
    public Optional<Checkpoint> latest(Consumer<String> skipped) throws IOException {
        List<Long> steps = steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(load(steps.get(i)));
            } catch (CorruptCheckpointException e) {
                skipped.accept(e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Loads one checkpoint, verifying every file's size and SHA-256 against the manifest. */
    public Checkpoint load(long step) throws IOException {
        String dir = directory(step);
        if (!storage.exists(dir + "/" + MANIFEST)) {
            throw new CorruptCheckpointException(dir, "no " + MANIFEST + " (the save did not finish)");
        }
        JsonNode manifest;
        try (InputStream in = storage.open(dir + "/" + MANIFEST)) {
            manifest = JSON.readTree(in);
        } catch (IOException e) {
            throw new CorruptCheckpointException(dir, MANIFEST + " is not valid JSON: " + e.getMessage(), e);
        }
        if (manifest == null || !FORMAT.equals(manifest.path("format").asText()) || manifest.path("step").asLong(-1) != step
                || !manifest.path("files").isObject()) {
            throw new CorruptCheckpointException(dir, MANIFEST + " is not a " + FORMAT + " manifest for step " + step);
        }
        Map<String, Map<String, INDArray>> tensors = new LinkedHashMap<>();
        Map<String, String> json = new LinkedHashMap<>();
        for (var it = manifest.get("files").fields(); it.hasNext(); ) {
            var f = it.next();
            String path = dir + "/" + f.getKey();
            long bytes = f.getValue().path("bytes").asLong(-1);
            if (!storage.exists(path)) {
                throw new CorruptCheckpointException(dir, f.getKey() + " is missing");
            }
            if (storage.length(path) != bytes) {
                throw new CorruptCheckpointException(dir, f.getKey() + " has " + storage.length(path) + " bytes, the manifest says " + bytes);
            }
            try (DigestInputStream in = new DigestInputStream(storage.open(path), sha256())) {
                if (f.getKey().endsWith(".safetensors")) {
                    tensors.put(f.getKey(), Safetensors.read(in, bytes));
                } else {
                    json.put(f.getKey(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                String actual = HexFormat.of().formatHex(in.getMessageDigest().digest());
                if (!actual.equals(f.getValue().path("sha256").asText())) {
                    throw new CorruptCheckpointException(dir, f.getKey() + " fails its SHA-256 check (corrupted after the save)");
                }
            } catch (MalformedSafetensorsException e) {
                throw new CorruptCheckpointException(dir, f.getKey() + ": " + e.getMessage(), e);
            }
        }
        return new Checkpoint(step, tensors, json);
    }

    /** Deletes complete checkpoints beyond the newest {@code keepLast}, and incomplete ones older than {@code saved}. */
    private void prune(long saved) throws IOException {
        List<Long> complete = new ArrayList<>();
        for (long s : steps()) {
            if (storage.exists(directory(s) + "/" + MANIFEST)) {
                complete.add(s);
            } else if (s < saved) {
                storage.delete(directory(s));
            }
        }
        for (int i = 0; i < complete.size() - keepLast; i++) {
            storage.delete(directory(complete.get(i)));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
