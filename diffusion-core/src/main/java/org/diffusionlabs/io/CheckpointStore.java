package org.diffusionlabs.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.nd.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints as directories {@code step-<N>/} under a {@link Storage} root. Every file is written first and the
 * {@code manifest.json} (sizes and SHA-256 of every file) last: a checkpoint counts only when it <em>verifies</em> —
 * its manifest exists, names only plain files (and every required one), and every file matches it, JSON files
 * parsing as exactly one JSON value. Every decision goes by verified checkpoints only: {@link #latest} walks back
 * from the newest step and reports each one that does not verify (a WARN log naming the directory and the reason,
 * and to the caller); {@link #isValid} says whether a step is saved; pruning keeps the newest {@code keepLast}
 * verified checkpoints and always the one just saved. A directory already holding the step being saved (an interrupted or corrupted save) is
 * moved aside and deleted only once the new save verifies; if the new save fails, it is put back.
 */
public final class CheckpointStore {
    /** Name of the manifest file inside a checkpoint directory. */
    public static final String MANIFEST = "manifest.json";
    static final String FORMAT = "diffusion-labs-checkpoint/1";
    private static final String PREFIX = "step-";
    /** A step's previous directory, moved aside by {@link #save} until the new one verifies. */
    private static final Pattern REPLACED = Pattern.compile("step-(\\d{1,18})\\.replaced-[0-9]+");
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*\\.(safetensors|json)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reads one JSON value and nothing after it: trailing text (a HOCON include, say) makes the file invalid. */
    private static final ObjectReader STRICT = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private final Storage storage;
    private final int keepLast;
    private final Set<String> required;
    private final Set<Long> verified = new HashSet<>(); // steps this store wrote or read back and found intact

    /** @param keepLast how many verified checkpoints to keep (>= 1) */
    public CheckpointStore(Storage storage, int keepLast) {
        this(storage, keepLast, Set.of());
    }

    /**
     * @param keepLast how many verified checkpoints to keep (>= 1)
     * @param required files every checkpoint must hold to count (e.g. the model weights)
     */
    public CheckpointStore(Storage storage, int keepLast, Set<String> required) {
        this.storage = Checks.notNull(storage, "CheckpointStore", "storage");
        this.keepLast = Checks.positive(keepLast, "CheckpointStore", "keepLast");
        this.required = Set.copyOf(Checks.notNull(required, "CheckpointStore", "required"));
    }

    /** A store over the same storage and keep-last count that also requires {@code files} in every checkpoint. */
    public CheckpointStore requiring(Set<String> files) {
        Set<String> all = new HashSet<>(required);
        all.addAll(files);
        return new CheckpointStore(storage, keepLast, all);
    }

    /** The directory name of a step's checkpoint. */
    public static String directory(long step) {
        return PREFIX + step;
    }

    /**
     * Writes a checkpoint (files, then the manifest), reads it back to verify it, then prunes old ones; returns its
     * directory name. An existing directory of the same step is moved aside first and deleted only after the new
     * checkpoint verifies; when the save fails, the new partial directory is removed and the old one put back.
     */
    public String save(Checkpoint cp) throws IOException {
        String dir = directory(cp.step());
        verified.remove(cp.step());
        String aside = null;
        if (storage.exists(dir)) {
            aside = dir + ".replaced-" + System.currentTimeMillis();
            storage.rename(dir, aside);
        }
        try {
            write(cp, dir);
            read(cp.step(), false);
        } catch (IOException | RuntimeException e) {
            if (aside != null) {
                try {
                    storage.delete(dir);
                    storage.rename(aside, dir);
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        if (aside != null) {
            storage.delete(aside);
        }
        prune(cp.step());
        return dir;
    }

    private void write(Checkpoint cp, String dir) throws IOException {
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
     * The newest checkpoint that verifies. Every newer one that does not — whatever the failure: incomplete,
     * corrupted, an unsafe or missing file, unreadable JSON, a storage error — is logged as a WARN naming its
     * location and the reason, reported to {@code skipped} ("step-N: reason"), and passed over.
     */
    public Optional<Checkpoint> latest(Consumer<String> skipped) throws IOException {
        List<Long> steps = steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            String dir = directory(steps.get(i));
            try {
                return Optional.of(load(steps.get(i)));
            } catch (IOException | RuntimeException e) {
                String reason = e instanceof CorruptCheckpointException c ? c.reason()
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                LOG.warn("skipping checkpoint {}: {}", Redaction.text(storage.location(dir)), Redaction.text(reason));
                skipped.accept(dir + ": " + reason);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the checkpoint of {@code step} exists and verifies. A step this store saved or read back intact is
     * remembered (so pruning does not re-read every kept checkpoint at each save): the store assumes that nothing
     * else changes its directories while it is in use.
     */
    public boolean isValid(long step) {
        if (verified.contains(step)) {
            return true;
        }
        try {
            read(step, false);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Loads one checkpoint, verifying it; a {@link CorruptCheckpointException} names what is wrong. */
    public Checkpoint load(long step) throws IOException {
        return read(step, true);
    }

    /** Verifies a checkpoint and, with {@code keep}, returns its contents (else null: only hashed, not parsed). */
    private Checkpoint read(long step, boolean keep) throws IOException {
        String dir = directory(step);
        if (!storage.exists(dir + "/" + MANIFEST)) {
            throw new CorruptCheckpointException(dir, "no " + MANIFEST + " (the save did not finish)");
        }
        JsonNode manifest;
        try (InputStream in = storage.open(dir + "/" + MANIFEST)) {
            manifest = STRICT.readTree(in);
        } catch (IOException e) {
            throw new CorruptCheckpointException(dir, MANIFEST + " is not valid JSON: " + e.getMessage(), e);
        }
        if (manifest == null || !FORMAT.equals(manifest.path("format").asText()) || manifest.path("step").asLong(-1) != step
                || !manifest.path("files").isObject()) {
            throw new CorruptCheckpointException(dir, MANIFEST + " is not a " + FORMAT + " manifest for step " + step);
        }
        for (var names = manifest.get("files").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!PLAIN_NAME.matcher(name).matches()) {
                throw new CorruptCheckpointException(dir, MANIFEST + " lists the unsafe file name '" + name
                        + "' (only plain *.safetensors and *.json names)");
            }
        }
        for (String name : required) {
            if (!manifest.get("files").has(name)) {
                throw new CorruptCheckpointException(dir, MANIFEST + " lists no " + name);
            }
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
            String text = null;
            try (DigestInputStream in = new DigestInputStream(storage.open(path), sha256())) {
                if (!f.getKey().endsWith(".safetensors")) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } else if (keep) {
                    tensors.put(f.getKey(), Safetensors.read(in, bytes));
                } else {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                String actual = HexFormat.of().formatHex(in.getMessageDigest().digest());
                if (!actual.equals(f.getValue().path("sha256").asText())) {
                    throw new CorruptCheckpointException(dir, f.getKey() + " fails its SHA-256 check (corrupted after the save)");
                }
            } catch (MalformedSafetensorsException e) {
                throw new CorruptCheckpointException(dir, f.getKey() + ": " + e.getMessage(), e);
            }
            if (text != null) {
                json.put(f.getKey(), requireJson(dir, f.getKey(), text));
            }
        }
        verified.add(step);
        return keep ? new Checkpoint(step, tensors, json) : null;
    }

    private static String requireJson(String dir, String name, String text) throws CorruptCheckpointException {
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new CorruptCheckpointException(dir, name + " is empty, not JSON");
            }
            return text;
        } catch (IOException e) {
            throw new CorruptCheckpointException(dir, name + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the newest {@code keepLast} verified checkpoints and {@code saved}; deletes every other verified one, and
     * directories that do not verify only when older than everything kept (a newer one is left for inspection, and
     * {@link #latest} keeps reporting it). A directory a killed {@link #save} left moved aside
     * ({@code step-N.replaced-*}) goes once step N is kept and verifies, or is older than everything kept.
     */
    private void prune(long saved) throws IOException {
        List<Long> steps = steps();
        List<Long> valid = new ArrayList<>();
        for (long s : steps) {
            if (s == saved || isValid(s)) {
                valid.add(s);
            }
        }
        Set<Long> keep = new HashSet<>(valid.subList(Math.max(0, valid.size() - keepLast), valid.size()));
        keep.add(saved);
        long oldestKept = Collections.min(keep);
        for (long s : steps) {
            if (!keep.contains(s) && (valid.contains(s) || s < oldestKept)) {
                storage.delete(directory(s));
                verified.remove(s);
            }
        }
        for (String name : storage.list("")) {
            Matcher m = REPLACED.matcher(name);
            if (m.matches()) {
                long s = Long.parseLong(m.group(1));
                if (s < oldestKept || (keep.contains(s) && isValid(s))) {
                    storage.delete(name);
                }
            }
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
