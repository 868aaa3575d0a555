package org.diffusionlabs.adapters;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.testing.Approx;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of {@link ClassifierFreeGuidance} beyond the reference tests: init, RNG use, merging, graph form. */
class ClassifierFreeGuidanceBehaviourTest {
    private static ClassifierFreeGuidance.Builder twoKeys(DummyAdm model) {
        return ClassifierFreeGuidance.builder(model).addCondition("a", 3).addCondition("b", 2, 3);
    }

    @Test
    void learnedNullEmbeddingsAreUniformDrawsInDimCondOrderTrainableAndAliased() {
        ClassifierFreeGuidance cfg = twoKeys(new DummyAdm(false)).optInitRng(new Rng(11)).build();
        Rng expected = new Rng(11);
        Map<String, INDArray> sd = cfg.stateDict();
        assertEquals(List.of("train_unconditional_embedding.a", "train_unconditional_embedding.b",
                "eval_unconditional_embedding.a", "eval_unconditional_embedding.b"), new ArrayList<>(sd.keySet()));
        assertEquals(expected.rand(1, 3), sd.get("train_unconditional_embedding.a"));
        assertEquals(expected.rand(1, 2, 3), sd.get("train_unconditional_embedding.b"));
        assertSame(sd.get("train_unconditional_embedding.a"), sd.get("eval_unconditional_embedding.a"));
        assertTrue(cfg.isTrainable("train_unconditional_embedding.a"));
        assertTrue(cfg.isTrainable("eval_unconditional_embedding.b"));
        assertEquals(Map.of("a", 0.1, "b", 0.1), cfg.probabilities());
        assertEquals(0.0, cfg.guidance());
    }

    @Test
    void zerosAndEvalOverridesAreFrozenAndOverridesAreNotAliased() {
        ClassifierFreeGuidance cfg = twoKeys(new DummyAdm(false)).optLearnNullEmbedding(false)
                .optEvalNullEmbeddings(Map.of("b", Nd4j.ones(DataType.FLOAT, 1, 2, 3))).build();
        Map<String, INDArray> sd = cfg.stateDict();
        assertEquals(0.0, sd.get("train_unconditional_embedding.a").sumNumber().doubleValue());
        assertFalse(cfg.isTrainable("train_unconditional_embedding.a"));
        assertFalse(cfg.isTrainable("eval_unconditional_embedding.b"));
        assertSame(sd.get("train_unconditional_embedding.a"), sd.get("eval_unconditional_embedding.a"));
        assertTrue(sd.get("train_unconditional_embedding.b") != sd.get("eval_unconditional_embedding.b"));
        ClassifierFreeGuidance learned = twoKeys(new DummyAdm(false)).optInitRng(new Rng(1))
                .optEvalNullEmbeddings(Map.of("b", Nd4j.ones(DataType.FLOAT, 1, 2, 3))).build();
        assertTrue(learned.isTrainable("train_unconditional_embedding.b"));
        assertFalse(learned.isTrainable("eval_unconditional_embedding.b"));
    }

    @Test
    void loadAssignsInPlaceSoAliasesAndGuidanceViewsSeeTheValues() {
        ClassifierFreeGuidance cfg = twoKeys(new DummyAdm(false)).optInitRng(new Rng(2)).build();
        ClassifierFreeGuidance view = cfg.withGuidance(3.0);
        INDArray before = cfg.stateDict().get("train_unconditional_embedding.a");
        Map<String, INDArray> source = new LinkedHashMap<>();
        cfg.stateDict().forEach((k, v) -> source.put(k, Nd4j.valueArrayOf(v.shape(), 0.25f)));
        cfg.load(source);
        assertSame(before, cfg.stateDict().get("train_unconditional_embedding.a"));
        assertEquals(0.25, view.stateDict().get("eval_unconditional_embedding.a").getDouble(0, 1), 0.0);
        assertEquals(3.0, view.guidance());
    }

    @Test
    void trainingDrawsOneUniformPerSampleAndPresentKeyComparedInFloat() {
        ClassifierFreeGuidance cfg = twoKeys(new DummyAdm(false)).optLearnNullEmbedding(false).optP(0.5).build();
        int b = 16;
        INDArray a = Nd4j.ones(DataType.FLOAT, b, 3);
        INDArray bb = Nd4j.ones(DataType.FLOAT, b, 2, 3).muli(2);
        Conditioning c = Conditioning.of("b", bb).with("a", a).with("other", Nd4j.ones(DataType.FLOAT, b, 1));
        Conditioning merged = cfg.dropConditions(c, b, new Rng(5));
        Rng manual = new Rng(5);
        float[] ra = manual.uniformFloats(b);
        float[] rb = manual.uniformFloats(b);
        for (int i = 0; i < b; i++) {
            assertEquals(ra[i] < 0.5f ? 0.0 : 1.0, merged.get("a").getDouble(i, 0), 0.0);
            assertEquals(rb[i] < 0.5f ? 0.0 : 2.0, merged.get("b").getDouble(i, 1, 2), 0.0);
        }
        assertEquals(List.of("a", "b", "other"), new ArrayList<>(merged.names()));
        assertSame(c.get("other"), merged.get("other"));
        assertEquals(1.0, a.minNumber().doubleValue(), "the caller's condition is not modified");

        Map<String, INDArray> keep = cfg.keepMask(b, new Rng(5));
        for (int i = 0; i < b; i++) {
            assertEquals(ra[i] < 0.5f ? 0.0 : 1.0, keep.get("a").getDouble(i, 0), 0.0);
            assertEquals(rb[i] < 0.5f ? 0.0 : 1.0, keep.get("b").getDouble(i, 0), 0.0);
        }
        assertArrayEquals(new long[] {b, 1}, keep.get("a").shape());
    }

    @Test
    void absentKeysUseTheNullEmbeddingWithoutDrawing() {
        ClassifierFreeGuidance cfg = twoKeys(new DummyAdm(false)).optInitRng(new Rng(3)).optP(0.5).build();
        Rng rng = new Rng(9);
        Conditioning merged = cfg.dropConditions(Conditioning.of("a", Nd4j.ones(DataType.FLOAT, 4, 3)), 4, rng);
        Rng manual = new Rng(9);
        manual.uniformFloats(4);
        assertEquals(manual.nextUnsigned32(), rng.nextUnsigned32(), "exactly one draw of b uniforms for the present key");
        assertArrayEquals(new long[] {4, 2, 3}, merged.get("b").shape());
        INDArray nul = cfg.stateDict().get("train_unconditional_embedding.b");
        for (int i = 0; i < 4; i++) {
            assertEquals(nul.slice(0), merged.get("b").slice(i));
        }
    }

    @Test
    void guidedEvalDoublesTheBatchAndKeepsConditionalVariance() {
        DummyAdm model = new DummyAdm(true);
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(model).addCondition("a", 3).addCondition("b", 3)
                .optLearnNullEmbedding(false).optGuidance(1.5).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 2, 2);
        INDArray t = Nd4j.createFromArray(new float[][] {{3f}, {8f}});
        INDArray other = Nd4j.createFromArray(new float[][] {{1f, 1f, 1f}, {2f, 2f, 2f}});
        Conditioning c = Conditioning.of("other", other).with("a", Nd4j.ones(DataType.FLOAT, 2, 3));
        DiffusionOutput out = cfg.predict(x, t, c);
        assertEquals(List.of("a", "b", "other"), new ArrayList<>(model.lastC.names()));
        assertEquals(Nd4j.concat(0, other, other), model.lastC.get("other"));
        assertEquals(Nd4j.concat(0, t, t), model.lastT);
        assertEquals(Nd4j.concat(0, x, x), model.lastX);
        assertEquals(Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, 2, 3), Nd4j.zeros(DataType.FLOAT, 2, 3)), model.lastC.get("a"));
        assertEquals(Nd4j.zeros(DataType.FLOAT, 4, 3), model.lastC.get("b"));
        assertEquals(x, out.varianceValue());
        // Dummy: cond = x + t + other + 1 (from "a") + 3 keys; uncond lacks the 1; guided = cond + 1.5·(cond − uncond).
        INDArray cond = x.add(t.reshape(2, 1, 1, 1).broadcast(x.shape())).addi(other.reshape(2, 3, 1, 1).broadcast(x.shape())).addi(4);
        Approx.assertClose(cond.add(1.5), out.prediction(), 1e-6, 1e-6, "guided");
    }

    @Test
    void graphMergeTrainsTheNullEmbeddingOnlyWhereDropped() {
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(new DummyAdm(false)).addCondition("a", 3)
                .addCondition("b", 2).optInitRng(new Rng(4)).build();
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.FLOAT, -1, 3);
        SDVariable keep = sd.placeHolder("keep.a", DataType.FLOAT, -1, 1);
        Map<String, SDVariable> merged = cfg.buildTraining(sd, Map.of("a", a), Map.of("a", keep));
        assertEquals(List.of("a", "b"), new ArrayList<>(merged.keySet()));
        SDVariable loss = merged.get("a").sum().add(merged.get("b").sum()).rename("loss");
        sd.setLossVariables(loss);
        assertEquals(VariableType.VARIABLE, sd.getVariable("train_unconditional_embedding.a").getVariableType());
        INDArray av = Nd4j.rand(DataType.FLOAT, 4, 3);
        INDArray kv = Nd4j.createFromArray(new float[][] {{1f}, {0f}, {0f}, {1f}});
        Map<String, INDArray> feed = Map.of("a", av, "keep.a", kv);
        INDArray mergedA = sd.output(feed, merged.get("a").name()).get(merged.get("a").name());
        Conditioning eager = cfg.dropConditions(Conditioning.of("a", av), 4, new Rng(0)); // p 0.1 draws irrelevant here
        INDArray nulA = cfg.stateDict().get("train_unconditional_embedding.a");
        assertEquals(av.getRow(0), mergedA.getRow(0));
        assertEquals(nulA.getRow(0), mergedA.getRow(1));
        assertArrayEquals(eager.get("b").shape(), sd.output(feed, merged.get("b").name()).get(merged.get("b").name()).shape());
        Map<String, INDArray> grads = sd.calculateGradients(feed, "train_unconditional_embedding.a", "train_unconditional_embedding.b");
        assertEquals(Nd4j.valueArrayOf(new long[] {1, 3}, 2f), grads.get("train_unconditional_embedding.a"));
        assertEquals(Nd4j.valueArrayOf(new long[] {1, 2}, 4f), grads.get("train_unconditional_embedding.b"));
    }
}
