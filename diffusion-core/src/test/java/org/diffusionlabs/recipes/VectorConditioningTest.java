package org.diffusionlabs.recipes;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model conditioned on given vectors ({@code classes = 0}): no label encoder, the same initial U-Net as the
 * label model of the same seed, trained from {@link LabeledImages#embeddings()}, and the vectors reach the network.
 */
class VectorConditioningTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);

    private static ModelSpec model(int classes) {
        return new ModelSpec(MICRO, BetaScheduleKind.LINEAR, 100, PredictionType.NOISE, TrainingGraph.Loss.HYBRID, 0.001,
                0.0, 2.0, classes);
    }

    private static TrainingSpec spec(int classes) {
        return new TrainingSpec(model(classes), OptimizerSpec.adamW(), LearningRateSchedule.constant(1e-3), null, 4, 1, 3);
    }

    private static LabeledImages data(long seed) {
        Rng r = new Rng(seed);
        return new LabeledImages(r.randn(6, 1, 8, 8).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).mul(0.5),
                new int[6]).withEmbeddings(r.randn(6, 8).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    }

    private static List<Double> train(TrainingSpec spec, LabeledImages data) {
        List<Double> losses = new ArrayList<>();
        spec.trainer(spec.build(), data, 4).run(Trainer.State.start(spec.seed(), data.size()), 2, Long.MAX_VALUE, 0,
                (s, l, lr, seconds) -> losses.add(l.get(TrainingGraph.LOSS)));
        return losses;
    }

    @Test
    void buildsWithoutAnEncoderAndTheSameUNet() {
        ModelSpec.Model vectors = model(0).build(5);
        ModelSpec.Model labels = model(10).build(5);
        assertFalse(model(0).labelConditioned());
        assertNull(vectors.encoder());
        Map<String, INDArray> a = vectors.unet().parameters().asMap();
        Map<String, INDArray> b = labels.unet().parameters().asMap();
        assertEquals(b.keySet(), a.keySet());
        b.forEach((k, v) -> assertEquals(v, a.get(k), k));
        assertEquals(labels.guidance().stateDict(), vectors.guidance().stateDict());
        assertFalse(model(0).graph(vectors).trainables().containsKey(LabelEmbedding.NAME));
    }

    @Test
    void trainsOnTheVectorsAndTheyMatter() {
        LabeledImages d = data(1);
        List<Double> first = train(spec(0), d);
        assertEquals(first, train(spec(0), d), "same data and seed: same losses");
        assertTrue(first.stream().allMatch(Double::isFinite), first.toString());
        LabeledImages other = d.withEmbeddings(d.embeddings().mul(-3));
        assertNotEquals(first.get(0), train(spec(0), other).get(0), "other vectors: another loss");
    }

    @Test
    void subsetsCarryTheVectors() {
        LabeledImages d = data(2);
        LabeledImages s = d.subset(new int[] {4, 1});
        assertArrayEquals(d.embeddings().getRow(4).toFloatVector(), s.embeddings().getRow(0).toFloatVector());
        assertArrayEquals(d.embeddings().getRow(1).toFloatVector(), s.embeddings().getRow(1).toFloatVector());
    }

    @Test
    void badValuesAreNamed() {
        String classes = assertThrows(IllegalArgumentException.class, () -> model(-1)).getMessage();
        assertTrue(classes.contains("classes") && classes.contains("-1"), classes);
        LabeledImages plain = new LabeledImages(data(3).images(), new int[6]);
        TrainingSpec spec = spec(0);
        String missing = assertThrows(IllegalArgumentException.class,
                () -> spec.trainer(spec.build(), plain, 4)).getMessage();
        assertTrue(missing.contains("data.embeddings") && missing.contains("[n, 8]"), missing);
        String shape = assertThrows(IllegalArgumentException.class,
                () -> plain.withEmbeddings(new Rng(1).randn(5, 8).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)))
                .getMessage();
        assertTrue(shape.contains("embeddings.shape") && shape.contains("n = 6"), shape);
    }
}
