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
import java.util.Objects;

/**
 * The run's metrics as JSON lines ({@code RUN/metrics.jsonl}, one object per step). Rows are kept in memory and the
 * file is rewritten whole at each flush (checkpoints), which works on file systems without append (S3). The parsed
 * rows, a resumed run's earlier segments included, feed the loss curve ({@link LossCurvePlot}).
 */
final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() {};
    private final HadoopStorage dir;
    private final String name;
    private final StringBuilder lines = new StringBuilder();
    private final List<Map<String, Object>> rows = new ArrayList<>();

    /** @param keep continue an existing log (resume) instead of starting a new one */
    MetricsLog(HadoopStorage dir, String name, boolean keep) throws IOException {
        this.dir = dir;
        this.name = name;
        if (keep && dir.exists(name)) {
            try (InputStream in = dir.open(name)) {
                lines.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            lines.toString().lines().map(MetricsLog::parse).filter(Objects::nonNull).forEach(rows::add);
        }
    }

    void add(Map<String, Object> row) {
        lines.append(TrainCommand.json(row)).append('\n');
        rows.add(new LinkedHashMap<>(row));
    }

    /** Every row so far, earlier segments first (a resumed run repeats the steps after its checkpoint). */
    List<Map<String, Object>> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** One logged line as a row, or null for a blank or damaged line (kept in the file, left out of the plot). */
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

    void flush() {
        try {
            TrainCommand.write(dir, name, lines.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
    }
}
