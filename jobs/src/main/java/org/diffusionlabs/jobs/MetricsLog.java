package org.diffusionlabs.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The run's metrics as JSON lines ({@code RUN/metrics.jsonl}, one object per step). Rows are kept in memory and the
 * file is rewritten whole at each flush (checkpoints), which works on file systems without append (S3).
 */
final class MetricsLog {
    private final HadoopStorage dir;
    private final String name;
    private final StringBuilder lines = new StringBuilder();

    /** @param keep continue an existing log (resume) instead of starting a new one */
    MetricsLog(HadoopStorage dir, String name, boolean keep) throws IOException {
        this.dir = dir;
        this.name = name;
        if (keep && dir.exists(name)) {
            try (InputStream in = dir.open(name)) {
                lines.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    void add(Map<String, Object> row) {
        lines.append(TrainCommand.json(row)).append('\n');
    }

    void flush() {
        try {
            TrainCommand.write(dir, name, lines.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
    }
}
