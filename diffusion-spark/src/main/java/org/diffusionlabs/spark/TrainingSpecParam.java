package org.diffusionlabs.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.diffusionlabs.recipes.TrainingSpec;

/**
 * A Spark ML param holding a {@link TrainingSpec}, saved in the stage's {@code paramMap} as the spec's own JSON
 * ({@link TrainingSpec#json()}) and read back by {@link TrainingSpec#fromJson}: field by field, never by
 * deserialising objects. So {@link DiffusionTrainer} persists with its spec like any other param.
 */
final class TrainingSpecParam extends Param<TrainingSpec> {
    private static final long serialVersionUID = 1L;

    TrainingSpecParam(Params parent, String owner, String name, String doc) {
        super(parent, name, doc, ParamChecks.valid(owner, name, s -> true, "must be a TrainingSpec"));
    }

    @Override
    public String jsonEncode(TrainingSpec value) {
        return value.json();
    }

    @Override
    public TrainingSpec jsonDecode(String json) {
        return TrainingSpec.fromJson(json);
    }
}
