package org.diffusionlabs.jobs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which settings a resume must share with its checkpoint. */
class ConfigChangesTest {
    @Test
    void namesChangedTrainingKeysAndIgnoresRunLengthReportingAndSpark() {
        String before = "{\"train\": {\"seed\": 0, \"max_steps\": 4, \"batch\": 4}, \"optimizer\": {\"lr\": 0.002},"
                + " \"model\": {\"depth\": 32}, \"spark\": {\"partitions\": 2}, \"sample\": {\"steps\": 50}}";
        String after = "{\"train\": {\"seed\": 7, \"max_steps\": 9, \"batch\": 4.0}, \"optimizer\": {\"lr\": 0.002},"
                + " \"model\": {\"depth\": 16, \"new_key\": 1}, \"spark\": {\"partitions\": 4}, \"sample\": {\"steps\": 5}}";
        assertEquals(List.of("model.depth (32, now 16)", "train.seed (0, now 7)"), ConfigChanges.between(before, after));
        assertEquals(List.of(), ConfigChanges.between(before, before));
    }
}
