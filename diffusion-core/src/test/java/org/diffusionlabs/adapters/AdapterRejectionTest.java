package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Interpolation;
import org.diffusionlabs.nd.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rejection path of the adapters: IllegalArgumentException whose message names the offending key or value. */
class AdapterRejectionTest {
    private static ClassifierFreeGuidance.Builder builder() {
        return ClassifierFreeGuidance.builder(new DummyAdm(false)).addCondition("digit", 6).addCondition("text", 2, 6)
                .optLearnNullEmbedding(false);
    }

    private static void rejects(Executable call, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message should mention '" + m + "': " + e.getMessage());
        }
    }

    @Test
    void probabilityMapKeysMustEqualDimCond() {
        rejects(() -> builder().optP(Map.of("digit", 0.1)).build(), "p", "[digit]");
        rejects(() -> builder().optP(Map.of("digit", 0.1, "text", 0.1, "extra", 0.1)).build(), "extra");
        rejects(() -> builder().optP(Map.of("digit", 0.1, "test_2", 0.1)).build(), "test_2");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void probabilitiesOutsideTheUnitInterval(double p) {
        rejects(() -> builder().optP(p).build(), "p.digit");
        rejects(() -> builder().optP(Map.of("digit", 0.5, "text", p)).build(), "p.text");
    }

    @Test
    void nullEmbeddingsMustHaveShapeOneByDim() {
        rejects(() -> builder().optTrainNullEmbeddings(Map.of("digit", Nd4j.zeros(DataType.FLOAT, 6))).build(),
                "train_unconditional_embedding.digit", "[1, 6]");
        rejects(() -> builder().optEvalNullEmbeddings(Map.of("text", Nd4j.zeros(DataType.FLOAT, 1, 6, 2))).build(),
                "eval_unconditional_embedding.text", "[1, 2, 6]");
        rejects(() -> builder().optTrainNullEmbeddings(Map.of("other", Nd4j.zeros(DataType.FLOAT, 1, 6))).build(), "other");
        rejects(() -> builder().optTrainNullEmbeddings(Map.of("digit", Nd4j.zeros(DataType.INT32, 1, 6))).build(),
                "digit", "floating point");
    }

    @Test
    void badDimCondGuidanceAndMissingInitRng() {
        rejects(() -> ClassifierFreeGuidance.builder(new DummyAdm(false)).addCondition("digit", 0), "dimCond.digit");
        rejects(() -> ClassifierFreeGuidance.builder(new DummyAdm(false)).addCondition("digit"), "dimCond.digit");
        rejects(() -> builder().addCondition("digit", 3), "duplicate");
        rejects(() -> builder().optGuidance(Double.NaN).build(), "guidance");
        rejects(() -> ClassifierFreeGuidance.builder(new DummyAdm(false)).addCondition("digit", 6).build(), "initRng", "digit");
        rejects(() -> ClassifierFreeGuidance.builder(null), "model");
    }

    @Test
    void conditionalInputsWithTheWrongShapeNameTheKey() {
        ClassifierFreeGuidance cfg = builder().optGuidance(2).build();
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 6, 4, 4);
        INDArray t = Nd4j.ones(DataType.FLOAT, 2, 1);
        Conditioning wrongDim = Conditioning.of("digit", Nd4j.ones(DataType.FLOAT, 2, 5));
        Conditioning wrongBatch = Conditioning.of("text", Nd4j.ones(DataType.FLOAT, 1, 2, 6));
        Conditioning wrongType = Conditioning.of("digit", Nd4j.ones(DataType.INT64, 2, 6));
        for (Conditioning c : new Conditioning[] {wrongDim, wrongBatch, wrongType}) {
            String key = c.names().iterator().next();
            rejects(() -> cfg.predict(x, t, c), "'" + key + "'");
            rejects(() -> cfg.withGuidance(0).predict(x, t, c), "'" + key + "'");
            rejects(() -> cfg.trainingForward(x, t, c, new Rng(0)), "'" + key + "'");
            rejects(() -> cfg.dropConditions(c, 2, new Rng(0)), "'" + key + "'");
        }
        rejects(() -> cfg.predict(x, Nd4j.ones(DataType.FLOAT, 3), Conditioning.none()), "t");
        rejects(() -> cfg.trainingForward(x, t, Conditioning.none(), null), "rng");
        rejects(() -> cfg.keepMask(0, new Rng(0)), "batch");
    }

    @Test
    void strictLoadReportsMissingUnexpectedMisshapedAndSplitAliases() {
        ClassifierFreeGuidance cfg = builder().build();
        Map<String, INDArray> good = new LinkedHashMap<>();
        cfg.stateDict().forEach((k, v) -> good.put(k, v.dup()));
        Map<String, INDArray> missing = new LinkedHashMap<>(good);
        missing.remove("eval_unconditional_embedding.text");
        rejects(() -> cfg.load(missing), "missing eval_unconditional_embedding.text");
        Map<String, INDArray> extra = new LinkedHashMap<>(good);
        extra.put("model.weight", Nd4j.ones(1));
        rejects(() -> cfg.load(extra), "unexpected model.weight");
        Map<String, INDArray> shaped = new LinkedHashMap<>(good);
        shaped.put("train_unconditional_embedding.digit", Nd4j.ones(DataType.FLOAT, 6));
        rejects(() -> cfg.load(shaped), "wrong shape train_unconditional_embedding.digit");
        Map<String, INDArray> split = new LinkedHashMap<>(good);
        split.put("eval_unconditional_embedding.digit", Nd4j.ones(DataType.FLOAT, 1, 6));
        rejects(() -> cfg.load(split), "eval_unconditional_embedding.digit", "shared");
        assertTrue(cfg.stateDict().get("train_unconditional_embedding.digit").sumNumber().doubleValue() == 0.0,
                "nothing is written on error");
    }

    @Test
    void graphFormNeedsKeepMasks() {
        ClassifierFreeGuidance cfg = builder().build();
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        var digit = sd.placeHolder("digit", DataType.FLOAT, -1, 6);
        rejects(() -> cfg.buildTraining(sd, Map.of("digit", digit), Map.of()), "digit");
    }

    @Test
    void inpaintingAndSuperResolutionShapes() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 2, 3, 4, 4);
        INDArray t = Nd4j.ones(DataType.FLOAT, 2);
        Inpainting inpainting = new Inpainting(new RecordingModel());
        rejects(() -> inpainting.predict(x, t, Conditioning.of("mask", Nd4j.ones(DataType.FLOAT, 2, 1, 5, 5))
                .with("target", Nd4j.ones(DataType.FLOAT, 2, 3, 5, 5))), "mask");
        rejects(() -> inpainting.predict(x, t, Conditioning.of("mask", Nd4j.ones(DataType.FLOAT, 2, 1, 4))
                .with("target", x)), "mask");
        rejects(() -> new Inpainting(new RecordingModel(), "", "target"), "maskName");
        SuperResolution sr = new SuperResolution(new RecordingModel());
        rejects(() -> sr.predict(x, t, Conditioning.of("low_res", Nd4j.ones(DataType.FLOAT, 1, 3, 2, 2))), "low_res");
        rejects(() -> sr.predict(x, t, Conditioning.of("low_res", Nd4j.ones(DataType.FLOAT, 2, 3, 2))), "low_res");
        rejects(() -> new SuperResolution(new RecordingModel(), "low_res", true, Interpolation.Mode.NEAREST, null, null),
                "antialias");
        rejects(() -> new SuperResolution(new RecordingModel(), "low_res", false, Interpolation.Mode.BICUBIC, Double.NaN, null),
                "minVal");
    }
}
