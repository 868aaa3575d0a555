package org.diffusionlabs.recipes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.JsonFields;
import org.diffusionlabs.training.LearningRateSchedule;

/** The JSON form of a {@link LearningRateSchedule}: peak, warm-up, decay by name, total steps, final factor. */
final class LearningRateScheduleJson {
    private LearningRateScheduleJson() {}

    static ObjectNode write(LearningRateSchedule s) {
        return JsonNodeFactory.instance.objectNode().put("peak", s.peak()).put("warmupSteps", s.warmupSteps())
                .put("decay", s.decay().name()).put("totalSteps", s.totalSteps()).put("minFactor", s.minFactor());
    }

    static LearningRateSchedule read(JsonFields f) {
        f.only("peak", "warmupSteps", "decay", "totalSteps", "minFactor");
        return new LearningRateSchedule(f.number("peak"), f.longValue("warmupSteps"),
                f.enumValue("decay", LearningRateSchedule.Decay.class), f.longValue("totalSteps"), f.number("minFactor"));
    }
}
