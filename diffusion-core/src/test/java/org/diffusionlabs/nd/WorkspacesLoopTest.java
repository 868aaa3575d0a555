package org.diffusionlabs.nd;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.samplers.DdimSampler;
import org.diffusionlabs.samplers.DdpmSampler;
import org.diffusionlabs.samplers.EvalSteps;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.samplers.StepNoise;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.Ema;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.LearningRateSchedule;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.Trainer;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop workspaces (DESIGN.md L10) change where temporaries live, never a bit of the results: N sampler steps
 * (DDPM and DDIM, through classifier-free guidance and learned variance) and N training steps (Trainer with
 * gradient accumulation, clipping, AdamW and EMA) give identical arrays with the workspaces on and off, and no
 * array that outlives an iteration is attached to a workspace.
 */
class WorkspacesLoopTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private final DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);

    @AfterEach
    void reset() {
        Workspaces.setEnabled(null);
    }

    private static void assertDetached(INDArray a, String what) {
        assertFalse(a.isAttached(), what + " is attached to a workspace");
    }

    private static float[] bits(INDArray a) {
        return a.dup().data().asFloat();
    }

    private List<INDArray> sampleSteps(boolean workspaces, Function<ClassifierFreeGuidance, Sampler> samplerOf) {
        Workspaces.setEnabled(workspaces);
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.1)
                .optGuidance(2.0).optInitRng(new Rng(1)).build();
        Sampler sampler = samplerOf.apply(cfg);
        Rng rng = new Rng(7);
        INDArray xT = rng.randn(3, 1, 8, 8);
        Conditioning c = Conditioning.of("digit", rng.randn(3, 8));
        List<INDArray> xs = new ArrayList<>();
        List<Boolean> noiseAttached = new ArrayList<>();
        StepNoise drawn = StepNoise.from(rng);
        StepNoise recording = like -> {
            INDArray z = drawn.draw(like);
            noiseAttached.add(z.isAttached());
            return z;
        };
        Iterator<INDArray> it = sampler.denoise(xT, c, recording);
        while (it.hasNext()) {
            INDArray x = it.next();
            assertDetached(x, "step " + xs.size() + " output");
            assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread(), "a workspace stayed active");
            xs.add(x);
        }
        // the step temporaries really were in the step workspace (and only then)
        assertEquals(xs.size(), noiseAttached.size());
        assertTrue(noiseAttached.stream().allMatch(a -> a == workspaces), "noise attached: " + noiseAttached);
        return xs;
    }

    private void samplerMatches(Function<ClassifierFreeGuidance, Sampler> samplerOf, int steps) {
        List<INDArray> off = sampleSteps(false, samplerOf);
        List<INDArray> on = sampleSteps(true, samplerOf);
        assertEquals(steps, on.size());
        assertEquals(off.size(), on.size());
        for (int i = 0; i < on.size(); i++) {
            // every step's x is still intact after later steps reused the workspace
            assertArrayEquals(bits(off.get(i)), bits(on.get(i)), "x after step " + (i + 1));
        }
    }

    @Test
    void ddpmStepsAreIdenticalAndDetached() {
        samplerMatches(cfg -> new DdpmSampler(cfg, schedule, new NoisePredictor(schedule), EvalSteps.linspace(1000, 6)), 6);
    }

    @Test
    void ddimStepsAreIdenticalAndDetached() {
        samplerMatches(cfg -> new DdimSampler(cfg, schedule, new NoisePredictor(schedule), EvalSteps.linspace(1000, 7), 1.0), 6);
    }

    private static LabeledImages data() {
        Rng r = new Rng(3);
        int[] labels = new int[20];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return new LabeledImages(r.rand(20, 1, 8, 8).muli(2).subi(1), labels);
    }

    private record TrainResult(List<Map<String, Double>> losses, Map<String, INDArray> weights, Map<String, INDArray> ema,
                               Map<String, INDArray> moments) {}

    private TrainResult train(boolean workspaces, int steps) {
        Workspaces.setEnabled(workspaces);
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                .optInitRng(new Rng(1)).build();
        LabelEmbedding encoder = LabelEmbedding.create(10, 8, new Rng(2));
        TrainingGraph graph = TrainingGraph.build(unet, cfg, encoder, TrainingGraph.Loss.HYBRID, 0.1, 0.001);
        AdamW adam = new AdamW();
        TrainStep step = new TrainStep(graph, schedule, adam, 1.0);
        Ema ema = new Ema(graph.trainables(), 0.9, true);
        LearningRateSchedule lr = new LearningRateSchedule(1e-3, 2, LearningRateSchedule.Decay.COSINE, steps, 0.1);
        Trainer trainer = new Trainer(step, ema, lr, data(), 4, 2);
        List<Map<String, Double>> losses = new ArrayList<>();
        trainer.run(Trainer.State.start(11, 20), steps, Long.MAX_VALUE, 0, new Trainer.Listener() {
            @Override
            public void onStep(long s, Map<String, Double> l, double rate, double seconds) {
                assertFalse(Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread(), "a workspace stayed active");
                losses.add(new LinkedHashMap<>(l));
            }

            @Override
            public void onCheckpoint(long s) {}
        });
        // one more step straight through TrainStep.run (its own scope) with a single batch
        Rng r = new Rng(5);
        INDArray x0 = r.rand(4, 1, 8, 8).muli(2).subi(1);
        losses.add(step.run(x0, Conditioning.of("labels", Nd4j.createFromArray(1, 2, 3, 4)), r, 1e-3));
        if (workspaces) {
            assertTrue(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(Workspaces.TRAIN_STEP_WS));
            assertTrue(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(Workspaces.TRAIN_STEP_WS).getCurrentSize() > 0,
                    "the train step workspace was used");
        }
        Map<String, INDArray> weights = new LinkedHashMap<>();
        graph.trainables().forEach((k, v) -> {
            assertDetached(v, "weight " + k);
            weights.put(k, v.dup());
        });
        Map<String, INDArray> shadow = new LinkedHashMap<>();
        ema.weights().forEach((k, v) -> {
            assertDetached(v, "EMA " + k);
            shadow.put(k, v.dup());
        });
        Map<String, INDArray> moments = new LinkedHashMap<>();
        adam.state().forEach((k, v) -> {
            assertDetached(v, "AdamW " + k);
            moments.put(k, v.dup());
        });
        return new TrainResult(losses, weights, shadow, moments);
    }

    @Test
    void trainStepsAreIdenticalAndStateIsDetached() {
        int steps = 3;
        TrainResult off = train(false, steps);
        TrainResult on = train(true, steps);
        assertEquals(steps + 1, on.losses().size());
        assertEquals(off.losses(), on.losses());
        for (String k : off.weights().keySet()) {
            assertArrayEquals(bits(off.weights().get(k)), bits(on.weights().get(k)), "weight " + k);
        }
        assertEquals(off.ema().keySet(), on.ema().keySet());
        for (String k : off.ema().keySet()) {
            assertArrayEquals(bits(off.ema().get(k)), bits(on.ema().get(k)), "EMA " + k);
        }
        assertEquals(off.moments().keySet(), on.moments().keySet());
        assertTrue(!on.moments().isEmpty());
        for (String k : off.moments().keySet()) {
            assertArrayEquals(bits(off.moments().get(k)), bits(on.moments().get(k)), "moment " + k);
        }
    }

    @Test
    void switchFollowsTheSystemProperty() {
        Workspaces.setEnabled(null);
        String before = System.getProperty(Workspaces.PROPERTY);
        try {
            System.setProperty(Workspaces.PROPERTY, "false");
            assertFalse(Workspaces.enabled());
            assertEquals(null, Workspaces.open(Workspaces.SAMPLER_STEP_WS));
            System.setProperty(Workspaces.PROPERTY, "true");
            assertTrue(Workspaces.enabled());
        } finally {
            if (before == null) {
                System.clearProperty(Workspaces.PROPERTY);
            } else {
                System.setProperty(Workspaces.PROPERTY, before);
            }
        }
    }
}
