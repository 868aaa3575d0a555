package org.diffusionlabs.jobs;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole model at {@link Model#batch} images of the "small" bench config ({@link BenchConfigs}): one guided
 * U-Net forward as every DDIM step runs it (classifier-free guidance 2: the U-Net on 2×batch images), and one full
 * optimiser step as {@code bench --what train} times it (diffusion steps and noise, guidance dropout p = 0.1,
 * res-block dropout 0.1, hybrid loss, backward, AdamW). Models, graphs and inputs are built and warmed up in the
 * set-up, outside the measurement. Run with {@code bin/diffusion jmh} (its JVM flags are the forks').
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UNetBenchmarks {
    /** The small config's U-Net behind classifier-free guidance, a schedule, and one batch of inputs. */
    @State(Scope.Thread)
    public static class Model {
        @Param("8")
        public int batch;

        ClassifierFreeGuidance guided;
        AdmUNet unet;
        DiscreteGaussianSchedule schedule;
        Rng rng;
        INDArray x;
        INDArray t;
        Conditioning c;

        @Setup(Level.Trial)
        public void setUp() {
            AdmUNetConfig config = BenchConfigs.resolve("small");
            rng = new Rng(0);
            unet = AdmUNet.create(config, rng);
            guided = ClassifierFreeGuidance.builder(unet).addCondition(config.embedName(), config.embedDim())
                    .optP(0.1).optGuidance(2.0).optInitRng(rng).build();
            schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
            x = rng.rand(batch, config.inChannels(), 32, 32).muli(2).subi(1);
            t = Nd4j.zeros(DataType.FLOAT, batch).addi(500);
            c = Conditioning.of(config.embedName(), rng.randn(batch, config.embedDim()));
            guided.predict(x, t, c); // builds and warms the inference graph
        }
    }

    /** A training step over {@link Model}'s U-Net, warmed up (SameDiff's array cache needs ~3 steps). */
    @State(Scope.Thread)
    public static class Training {
        TrainStep step;
        List<TrainStep.MicroBatch> micro;

        @Setup(Level.Trial)
        public void setUp(Model m) {
            TrainingGraph graph = TrainingGraph.build(m.unet, m.guided, TrainingGraph.Loss.HYBRID, 0.1, 0.001);
            step = new TrainStep(graph, m.schedule, new AdamW());
            micro = List.of(new TrainStep.MicroBatch(m.x, m.c));
            for (int i = 0; i < 3; i++) {
                step.run(micro, m.rng, 1e-4);
            }
        }
    }

    @Benchmark
    public INDArray guidedUNetForward(Model m) {
        return m.guided.predict(m.x, m.t, m.c).prediction();
    }

    @Benchmark
    public Map<String, Double> trainingStep(Model m, Training s) {
        return s.step.run(s.micro, m.rng, 1e-4);
    }
}
