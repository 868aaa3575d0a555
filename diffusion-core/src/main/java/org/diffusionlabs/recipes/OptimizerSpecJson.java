package org.diffusionlabs.recipes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.JsonFields;

/** The JSON form of an {@link OptimizerSpec}: kind by name, then its five numbers. */
final class OptimizerSpecJson {
    private OptimizerSpecJson() {}

    static ObjectNode write(OptimizerSpec s) {
        return JsonNodeFactory.instance.objectNode().put("kind", s.kind().name()).put("beta1", s.beta1())
                .put("beta2", s.beta2()).put("eps", s.eps()).put("weightDecay", s.weightDecay())
                .put("clipNorm", s.clipNorm());
    }

    static OptimizerSpec read(JsonFields f) {
        f.only("kind", "beta1", "beta2", "eps", "weightDecay", "clipNorm");
        return new OptimizerSpec(f.enumValue("kind", OptimizerSpec.Kind.class), f.number("beta1"), f.number("beta2"),
                f.number("eps"), f.number("weightDecay"), f.number("clipNorm"));
    }
}
