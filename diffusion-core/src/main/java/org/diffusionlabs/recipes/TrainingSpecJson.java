package org.diffusionlabs.recipes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.JsonFields;

/**
 * The JSON form of a {@link TrainingSpec}, written and read by explicit code, one mapper per record (no reflection,
 * no type information in the file): {@code model}, {@code optimizer}, {@code lr}, {@code ema} (null for none),
 * {@code batch}, {@code gradAccum}, {@code seed}, and {@code threads} only when it is not 1 (so the JSON of
 * one-thread specs is what it was before threads existed; absent reads as 1).
 */
final class TrainingSpecJson {
    private TrainingSpecJson() {}

    static ObjectNode write(TrainingSpec s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("model", ModelSpecJson.write(s.model()));
        o.set("optimizer", OptimizerSpecJson.write(s.optimizer()));
        o.set("lr", LearningRateScheduleJson.write(s.lr()));
        if (s.ema() == null) {
            o.putNull("ema");
        } else {
            o.putObject("ema").put("decay", s.ema().decay()).put("warmup", s.ema().warmup());
        }
        o.put("batch", s.batch());
        o.put("gradAccum", s.gradAccum());
        o.put("seed", s.seed());
        if (s.threads() != 1) {
            o.put("threads", s.threads());
        }
        return o;
    }

    static TrainingSpec read(JsonFields f) {
        f.only("model", "optimizer", "lr", "ema", "batch", "gradAccum", "seed", "threads");
        JsonFields ema = f.optionalObject("ema");
        TrainingSpec.EmaSpec e = null;
        if (ema != null) {
            ema.only("decay", "warmup");
            e = new TrainingSpec.EmaSpec(ema.number("decay"), ema.bool("warmup"));
        }
        return new TrainingSpec(ModelSpecJson.read(f.object("model")), OptimizerSpecJson.read(f.object("optimizer")),
                LearningRateScheduleJson.read(f.object("lr")), e, f.integer("batch"), f.integer("gradAccum"),
                f.longValue("seed"), f.integer("threads", 1));
    }
}
