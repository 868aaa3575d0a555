package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.testing.Approx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Port of the reference's {@code tests/diffusion_labs/test_adapter_cfguidance.py}: four CFGuidance fixtures, each
 * wrapping a "mean" and a "mean_variance" {@link DummyAdm}, in training (eager {@code trainingForward}), guided
 * eval, zero-guidance eval and unconditional eval, plus {@code _get_prob_dict} and
 * {@code _gen_unconditional_embeddings}. The reference's autouse seed 4 becomes {@code new Rng(4)}.
 */
class ClassifierFreeGuidanceReferenceTest {
    /** The reference's dim_cond {"test": 6, "test_list": [6]}: both are shape [6] here (int vs list). */
    static Map<String, long[]> dimCond() {
        Map<String, long[]> d = new LinkedHashMap<>();
        d.put("test", new long[] {6});
        d.put("test_list", new long[] {6});
        return d;
    }

    static INDArray x() {
        return Nd4j.ones(DataType.FLOAT, 1, 6, 4, 4);
    }

    static INDArray t() {
        return Nd4j.ones(DataType.FLOAT, 1, 1);
    }

    static Map<String, INDArray> condMap(double scale) {
        Map<String, INDArray> c = new LinkedHashMap<>();
        for (String k : dimCond().keySet()) {
            c.put(k, Nd4j.ones(DataType.FLOAT, 1, 6).muli(scale));
        }
        return c;
    }

    static Conditioning cond() {
        return Conditioning.of(condMap(1));
    }

    /** The four fixtures of the reference, by name. */
    static ClassifierFreeGuidance fixture(String name, boolean variance) {
        ClassifierFreeGuidance.Builder b = ClassifierFreeGuidance.builder(new DummyAdm(variance))
                .addConditions(dimCond()).optGuidance(2).optLearnNullEmbedding(false);
        return switch (name) {
            case "cfguidance_models" -> b.optP(0).build();
            case "cfguidance_models_p_1" -> b.optP(1).build();
            case "cfguidance_models_train_embeddings" -> b.optP(1).optTrainNullEmbeddings(condMap(5)).build();
            case "cfguidance_models_eval_embeddings" -> b.optP(1).optEvalNullEmbeddings(condMap(3)).build();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static void check(DiffusionOutput out, boolean variance, double multiplier) {
        INDArray x = x();
        Approx.assertClose(x.mul(multiplier), out.prediction(), 1.3e-6, 1e-5, "prediction");
        if (variance) {
            Approx.assertClose(x, out.varianceValue(), 1.3e-6, 1e-5, "variance_value");
        } else {
            assertNull(out.varianceValue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cfguidance_models, 6", "cfguidance_models_p_1, 4", "cfguidance_models_train_embeddings, 14",
            "cfguidance_models_eval_embeddings, 4"})
    void testTrainingForward(String fixture, double multiplier) {
        for (boolean variance : new boolean[] {false, true}) {
            check(fixture(fixture, variance).trainingForward(x(), t(), cond(), new Rng(4)), variance, multiplier);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cfguidance_models, 10", "cfguidance_models_p_1, 10", "cfguidance_models_train_embeddings, -10",
            "cfguidance_models_eval_embeddings, -2"})
    void testInferenceForward(String fixture, double multiplier) {
        for (boolean variance : new boolean[] {false, true}) {
            check(fixture(fixture, variance).predict(x(), t(), cond()), variance, multiplier);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cfguidance_models, 6", "cfguidance_models_p_1, 6", "cfguidance_models_train_embeddings, 6",
            "cfguidance_models_eval_embeddings, 6"})
    void testInference0GuidanceForward(String fixture, double multiplier) {
        for (boolean variance : new boolean[] {false, true}) {
            check(fixture(fixture, variance).withGuidance(0).predict(x(), t(), cond()), variance, multiplier);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cfguidance_models, 4", "cfguidance_models_p_1, 4", "cfguidance_models_train_embeddings, 14",
            "cfguidance_models_eval_embeddings, 10"})
    void testInferenceNoCondForward(String fixture, double multiplier) {
        for (boolean variance : new boolean[] {false, true}) {
            check(fixture(fixture, variance).predict(x(), t(), Conditioning.none()), variance, multiplier);
        }
    }

    @Test
    void testGetProbDict() {
        ClassifierFreeGuidance model = fixture("cfguidance_models", false);
        assertEquals(Map.of("test", 0.0, "test_list", 0.0), model.probabilities());
        assertEquals(Map.of("test", 0.1, "test_list", 0.1), Probabilities.uniform(dimCond(), 0.1));
        assertEquals(Map.of("test", 0.1, "test_list", 0.2),
                Probabilities.perKey(dimCond(), Map.of("test", 0.1, "test_list", 0.2)));
        assertThrows(IllegalArgumentException.class,
                () -> Probabilities.perKey(dimCond(), Map.of("test_2", 0.1, "test", 0.1)));
        // The reference's TypeError for p = "test" is a compile-time error here (optP takes a double or a map).
    }

    @Test
    void testGenUnconditionalEmbeddings() {
        NullEmbeddings zeros = NullEmbeddings.create(dimCond(), false, null, null, null);
        NullEmbeddings given = NullEmbeddings.create(dimCond(), false, condMap(1), null, null);
        for (String key : dimCond().keySet()) {
            assertEquals(0.0, zeros.train(key).meanNumber().doubleValue());
            assertEquals(1.0, given.train(key).meanNumber().doubleValue());
        }
        assertEquals(Set.of("train_unconditional_embedding.test", "train_unconditional_embedding.test_list",
                "eval_unconditional_embedding.test", "eval_unconditional_embedding.test_list"), zeros.stateDict().keySet());
    }
}
