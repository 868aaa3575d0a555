package org.diffusionlabs.jobs;

import org.diffusionlabs.spark.HadoopStorage;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's metrics as JSON lines ({@code RUN/metrics.jsonl}, one object per step). Rows are kept in memory and the
 * file is rewritten whole at each flush (checkpoints), atomically (temporary name, then rename), which works on file
 * systems without append (S3). A resumed run's log holds the earlier rows up to the checkpoint's step only, so a
 * step is never logged twice; the parsed rows feed the loss curve ({@link LossCurvePlot}).
 */
final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() {};
    private final HadoopStorage dir;
    private final String name;
    private final StringBuilder lines = new StringBuilder();
    private final List<Map<String, Object>> rows = new ArrayList<>();

    /** A new, empty log (the file is written at the first flush). */
    MetricsLog(HadoopStorage dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /**
     * The log of a run resumed at {@code step}: the existing rows of steps up to it (for a step logged twice by an
     * older version, the later row); the rows after it, of training the checkpoint does not hold, and damaged lines
     * are dropped, and the file is rewritten at once (atomically) when that changed it.
     */
    static MetricsLog resumed(HadoopStorage dir, String name, long step) throws IOException {
        MetricsLog log = new MetricsLog(dir, name);
        if (!dir.exists(name)) {
            return log;
        }
        String text;
        try (InputStream in = dir.open(name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<Long, String> kept = new LinkedHashMap<>();
        for (String line : (Iterable<String>) text.lines()::iterator) {
            Map<String, Object> row = parse(line);
            if (row != null && row.get("step") instanceof Number n && n.longValue() <= step) {
                kept.put(n.longValue(), line);
            }
        }
        kept.values().forEach(line -> {
            log.lines.append(line).append('\n');
            log.rows.add(parse(line));
        });
        if (!log.lines.toString().equals(text)) {
            log.flush();
        }
        return log;
    }

    void add(Map<String, Object> row) {
        lines.append(Json.of(row)).append('\n');
        rows.add(new LinkedHashMap<>(row));
    }

    /** Every row so far, earlier segments first. */
    List<Map<String, Object>> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** One logged line as a row, or null for a blank or damaged line. */
    private static Map<String, Object> parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(line, ROW);
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes every row, replacing the file atomically. */
    void flush() {
        try {
            dir.write(name, lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
    }
}
