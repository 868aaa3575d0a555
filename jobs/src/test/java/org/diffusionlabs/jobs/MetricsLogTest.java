package org.diffusionlabs.jobs;

import org.diffusionlabs.spark.HadoopStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsLogTest {
    @TempDir
    Path dir;

    private static Map<String, Object> row(long step, double loss) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("loss", loss);
        return r;
    }

    @Test
    void aResumedLogKeepsTheRowsOfEarlierSegments() throws IOException {
        HadoopStorage storage = new HadoopStorage(dir.toString());
        MetricsLog first = new MetricsLog(storage, "metrics.jsonl", false);
        first.add(row(1, 0.9));
        first.add(row(2, Double.NaN));
        first.flush();
        String written;
        try (var in = storage.open("metrics.jsonl")) {
            written = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        TrainCommand.write(storage, "metrics.jsonl", written + "{\"step\": 3, \"lo"); // a write cut short

        MetricsLog resumed = new MetricsLog(storage, "metrics.jsonl", true);
        resumed.add(row(2, 0.5));
        List<Map<String, Object>> rows = resumed.rows();
        assertEquals(3, rows.size(), "a damaged line is left out: " + rows);
        assertEquals(1, ((Number) rows.get(0).get("step")).intValue());
        assertEquals(0.9, ((Number) rows.get(0).get("loss")).doubleValue());
        assertEquals("NaN", rows.get(1).get("loss"), "Jackson writes NaN as a string");
        assertEquals(0.5, rows.get(2).get("loss"));

        assertEquals(List.of(), new MetricsLog(storage, "metrics.jsonl", false).rows(), "a new run starts empty");
    }
}
