package org.diffusionlabs.jobs;

import org.diffusionlabs.spark.HadoopStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        MetricsLog first = new MetricsLog(storage, "metrics.jsonl");
        first.add(row(1, 0.9));
        first.add(row(2, Double.NaN));
        first.flush();
        storage.write("metrics.jsonl", (read(storage) + "{\"step\": 3, \"lo").getBytes(StandardCharsets.UTF_8)); // a cut write

        MetricsLog resumed = MetricsLog.resumed(storage, "metrics.jsonl", 2);
        resumed.add(row(3, 0.5));
        List<Map<String, Object>> rows = resumed.rows();
        assertEquals(3, rows.size(), "a damaged line is left out: " + rows);
        assertEquals(1, ((Number) rows.get(0).get("step")).intValue());
        assertEquals(0.9, ((Number) rows.get(0).get("loss")).doubleValue());
        assertEquals("NaN", rows.get(1).get("loss"), "Jackson writes NaN as a string");
        assertEquals(0.5, rows.get(2).get("loss"));

        assertEquals(List.of(), new MetricsLog(storage, "metrics.jsonl").rows(), "a new run starts empty");
    }

    /** Issue 15 (e): resuming at an earlier step drops the later rows at once, so no step is logged twice. */
    @Test
    void resumingAtAnEarlierStepCutsTheLogThere() throws IOException {
        HadoopStorage storage = new HadoopStorage(dir.toString());
        MetricsLog log = new MetricsLog(storage, "metrics.jsonl");
        for (long s = 1; s <= 4; s++) {
            log.add(row(s, 1.0 / s));
        }
        log.flush();
        MetricsLog resumed = MetricsLog.resumed(storage, "metrics.jsonl", 2);
        assertEquals(2, resumed.rows().size());
        assertEquals(2, read(storage).lines().count(), "the cut is on disk before training goes on");
        resumed.add(row(3, 0.1));
        resumed.flush();
        assertEquals(List.of(1, 2, 3), MetricsLog.resumed(storage, "metrics.jsonl", 9).rows().stream()
                .map(r -> ((Number) r.get("step")).intValue()).toList());
    }

    private static String read(HadoopStorage storage) throws IOException {
        try (var in = storage.open("metrics.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
