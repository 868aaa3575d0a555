package org.diffusionlabs.training;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.NativeThreads;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.WorkerThreads;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Micro-batches on graph replicas in parallel: the same bits as the sequential accumulation with the same OpenMP
 * thread count per thread, the same bits on every run, a non-finite micro-batch stops the step untouched, and close()
 * leaves no thread behind. Callers run on a one-OpenMP-thread host thread, like the workers.
 */
class GraphReplicasTest {
    private static final AdmUNetConfig MICRO = AdmUNetConfig.admUnet(16, 32, 8, "digit", true, 1, 32, 1, 1);
    private static final DiscreteGaussianSchedule SCHEDULE = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
    private static final int OMP = 1;

    @BeforeAll
    static void oneBlasThread() {
        NativeThreads.setBlasThreads(1); // what the workers set; the sequential reference must match
    }

    /** A fresh step with guidance dropout, res-block dropout, the hybrid loss and AdamW; same seeds every call. */
    private static TrainStep step() {
        AdmUNet unet = AdmUNet.create(MICRO, new Rng(0));
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition("digit", 8).optP(0.3)
                .optInitRng(new Rng(1)).build();
        return new TrainStep(TrainingGraph.build(unet, cfg, null, TrainingGraph.Loss.HYBRID, PredictionType.V, 0.1, 0.001),
                SCHEDULE, new AdamW(), 1.0);
    }

    private static List<TrainStep.MicroBatch> micro(int k) {
        Rng data = new Rng(5);
        List<TrainStep.MicroBatch> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            out.add(new TrainStep.MicroBatch(data.rand(4, 1, 8, 8).muli(2).subi(1), Conditioning.of("digit", data.randn(4, 8))));
        }
        return out;
    }

    /** Two optimiser steps of 3 micro-batches; the losses of each step and the final trainables, as exact bits. */
    private static Map<String, Object> train(TrainStep s) {
        Map<String, Object> bits = new LinkedHashMap<>();
        Rng rng = new Rng(9);
        for (int i = 0; i < 2; i++) {
            bits.put("losses " + i, s.run(micro(3), rng, 1e-3).toString());
        }
        s.graph().trainables().forEach((k, v) -> bits.put(k, v.dup('c').data().asFloat()));
        return bits;
    }

    /** {@code body} on a fresh thread with {@link #OMP} OpenMP threads (as the workers have). */
    private static <T> T onHost(Function<Void, T> body) {
        try (WorkerThreads host = new WorkerThreads(1, OMP, "test-host")) {
            return WorkerThreads.getAll(List.of(host.submit(0, () -> body.apply(null)))).get(0);
        }
    }

    private static Map<String, Object> trainSequential() {
        return onHost(v -> train(step()));
    }

    private static Map<String, Object> trainParallel(int threads) {
        return onHost(v -> {
            TrainStep s = step();
            try (GraphReplicas replicas = new GraphReplicas(s.graph(), threads, OMP)) {
                return train(s.withReplicas(replicas));
            }
        });
    }

    private static void assertSameBits(Map<String, Object> want, Map<String, Object> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, w) -> {
            if (w instanceof float[] f) {
                assertArrayEquals(f, (float[]) got.get(k), 0f, k);
            } else {
                assertEquals(w, got.get(k), k);
            }
        });
    }

    @Test
    void twoReplicasGiveTheSequentialBits() {
        assertSameBits(trainSequential(), trainParallel(2));
    }

    @Test
    void oneReplicaGivesTheSequentialBits() {
        assertSameBits(trainSequential(), trainParallel(1));
    }

    @Test
    void sameSeedSameBitsOnEveryRun() {
        assertSameBits(trainParallel(2), trainParallel(2));
    }

    @Test
    void aNonFiniteMicroBatchLeavesEverythingUnchanged() {
        TrainStep s = step();
        Map<String, float[]> before = new LinkedHashMap<>();
        s.graph().trainables().forEach((k, v) -> before.put(k, v.dup('c').data().asFloat()));
        List<TrainStep.MicroBatch> micro = micro(3);
        micro.get(1).x0().putScalar(0, Double.NaN);
        try (GraphReplicas replicas = new GraphReplicas(s.graph(), 2, OMP)) {
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> s.withReplicas(replicas).run(micro, new Rng(9), 1e-3));
            assertTrue(e.getMessage().contains("micro-batch 2 of 3"), e.getMessage());
        }
        assertEquals(0, s.optimizer().steps());
        s.graph().trainables().forEach((k, v) -> assertArrayEquals(before.get(k), v.dup('c').data().asFloat(), 0f, k));
    }

    @Test
    void closeStopsEveryWorkerThread() {
        TrainStep s = step();
        GraphReplicas replicas = new GraphReplicas(s.graph(), 2, OMP);
        s.withReplicas(replicas).run(micro(2), new Rng(9), 1e-3);
        assertTrue(threadsNamed("diffusion-train-replica") >= 2);
        replicas.close();
        assertEquals(0, threadsNamedAfterExit("diffusion-train-replica"));
        replicas.close(); // idempotent
        INDArray feedValue = micro(1).get(0).x0();
        assertThrows(IllegalStateException.class, () -> replicas.submit(0, Map.of("x", feedValue), feedValue));
    }

    @Test
    void rejectsBadThreadCountsAndForeignReplicas() {
        TrainStep s = step();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GraphReplicas(s.graph(), 0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GraphReplicas(s.graph(), 2, 0));
        try (GraphReplicas other = new GraphReplicas(step().graph(), 1, OMP)) {
            assertThrows(IllegalArgumentException.class, () -> s.withReplicas(other));
        }
    }

    /** Live threads named {@code prefix*} once those still exiting are done (a terminated executor's thread may still be returning). */
    private static long threadsNamedAfterExit(String prefix) {
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).forEach(t -> {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return threadsNamed(prefix);
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }
}
