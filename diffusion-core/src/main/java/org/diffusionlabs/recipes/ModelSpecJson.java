package org.diffusionlabs.recipes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.JsonFields;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.training.TrainingGraph;

/** The JSON form of a {@link ModelSpec}: its components by name, enums by their names, the U-Net as an object. */
final class ModelSpecJson {
    private ModelSpecJson() {}

    static ObjectNode write(ModelSpec m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("unet", AdmUNetConfigJson.write(m.unet()));
        o.put("beta", m.beta().name());
        o.put("diffusionSteps", m.diffusionSteps());
        o.put("prediction", m.prediction().name());
        o.put("loss", m.loss().name());
        o.put("vlbWeight", m.vlbWeight());
        o.put("guidanceP", m.guidanceP());
        o.put("guidanceScale", m.guidanceScale());
        o.put("classes", m.classes());
        return o;
    }

    static ModelSpec read(JsonFields f) {
        f.only("unet", "beta", "diffusionSteps", "prediction", "loss", "vlbWeight", "guidanceP", "guidanceScale",
                "classes");
        return new ModelSpec(AdmUNetConfigJson.read(f.object("unet")), f.enumValue("beta", BetaScheduleKind.class),
                f.integer("diffusionSteps"), f.enumValue("prediction", PredictionType.class),
                f.enumValue("loss", TrainingGraph.Loss.class), f.number("vlbWeight"), f.number("guidanceP"),
                f.number("guidanceScale"), f.integer("classes"));
    }
}
