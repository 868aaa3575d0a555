package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Option;
import org.diffusionlabs.jobs.cli.OptionCommand;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmFlops;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.WorkerThreads;
import org.diffusionlabs.predictors.NoisePredictor;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.recipes.SamplerSpec;
import org.diffusionlabs.samplers.RowShardSampler;
import org.diffusionlabs.samplers.Sampler;
import org.diffusionlabs.samplers.StepListener;
import org.diffusionlabs.samplers.StepNoise;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.GraphReplicas;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.TrainingGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * {@code diffusion bench}: throughput of the tutorial recipe's real work, for comparison with PyTorch on the same
 * machine. {@code train} times one full optimiser step (diffusion steps and noise, guidance condition dropout,
 * res-block dropout, U-Net forward, hybrid loss, backward, AdamW); {@code ddim}/{@code ddpm} time whole sampling
 * loops through classifier-free guidance (every step runs the U-Net on 2×batch images). Warm-up iterations first,
 * then the median and best of the timed ones; FLOPs come from {@link AdmFlops} (training ≈ 3 forwards).
 */
public final class BenchCommand extends OptionCommand {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "Measure training or sampling throughput (images/s, GFLOP/s, peak RSS).";
    }

    @Override
    protected String synopsis() {
        return "--config small|tutorial|tiny|C.json --batch B [--what train|ddim|ddpm] [--threads T] [--grad-accum A] [--iters N] "
                + "[--warmup W] [--steps S] [--seed S] [--json]\n"
                + "       --what spark-train --config NAME --batch B [--master local[2]] [--partitions 2] "
                + "[--averaging-frequency 8] [--iters R] [--warmup W] [--json]";
    }

    @Override
    protected String description() {
        return "Images are 1x32x32 digits conditioned on a 768-wide embedding ('digit'); guidance 2, p = 0.1.\n"
                + "train: one full optimiser step per iteration (hybrid loss, AdamW, dropout 0.1).\n"
                + "ddim: a DDIM loop of --steps updates (default 50, eta 0); ddpm: --steps strided steps (default 250).\n"
                + "--threads T (default 1): train splits B into T micro-batches whose forward + backward run concurrently\n"
                + "on T graph replicas (gradient accumulation, one update); ddim/ddpm split B into T row shards sampled\n"
                + "concurrently, each with its own model replica. Each worker gets max(1, cores/T) OpenMP threads and\n"
                + "OpenBLAS one thread. --grad-accum A (train; default T, a multiple of T): the B images as A micro-batches\n"
                + "of B/A, T at a time, one update: peak memory of B/A images per worker.\n"
                + "spark-train: Spark parameter averaging (--master, default local[2]; --partitions P, default 2; k =\n"
                + "--averaging-frequency, default 8; P partitions of B/P images each) against the single machine at the\n"
                + "same total batch B, both for W warm-up + R timed rounds of k steps (defaults 1 + 3); images/s of\n"
                + "both and the overhead 1 - spark/single.\n"
                + "--json prints one object with images_per_s (median), images_per_s_best, gflops, peak_rss_mb, ...";
    }

    @Override
    protected List<Option> options() {
        return List.of(
                Option.valued("config", "NAME", "small, tutorial, tiny, or a JSON file of adm_unet arguments"),
                Option.valued("batch", "B", "images per iteration (>= 1)"),
                Option.valued("what", "KIND", "train (default), ddim or ddpm"),
                Option.valued("threads", "T", "worker threads, each on B/T images (default 1: today's single stream)"),
                Option.valued("grad-accum", "A", "train: one optimizer step of B images as A micro-batches of B/A (default T; a multiple of T): less memory, the same update"),
                Option.valued("iters", "N", "timed iterations (default 5 for train, 3 for sampling)"),
                Option.valued("warmup", "W", "untimed iterations first (default 5 for train: SameDiff's array cache needs ~3 steps to warm up; 1 for sampling)"),
                Option.valued("steps", "S", "sampling steps (ddim default 50, ddpm default 250)"),
                Option.valued("seed", "S", "random seed (default 0)"),
                Option.valued("master", "M", "spark-train: the Spark master (default local[2])"),
                Option.valued("partitions", "P", "spark-train: partitions (default 2; B must be a multiple)"),
                Option.valued("averaging-frequency", "K", "spark-train: steps between averagings (default 8)"),
                Option.flag("json", "print one JSON object to stdout"));
    }

    @Override
    protected int execute(Args args, PrintStream out, PrintStream err) throws UsageException {
        String configName = args.required("config");
        int batch = positive(args.requiredInt("batch"), "batch");
        String what = args.string("what").orElse("train");
        if (!List.of("train", "ddim", "ddpm", "spark-train").contains(what)) {
            throw new UsageException("option --what must be train, ddim, ddpm or spark-train, got '" + what + "'");
        }
        if (what.equals("spark-train")) {
            int partitions = positive(args.optionalInt("partitions").orElse(2), "partitions");
            if (batch % partitions != 0) {
                throw new UsageException("option --batch (" + batch + ") must be a multiple of --partitions (" + partitions + ")");
            }
            return SparkBench.run(configName, batch, args.string("master").orElse("local[2]"), partitions,
                    positive(args.optionalInt("averaging-frequency").orElse(8), "averaging-frequency"),
                    nonNegative(args.optionalInt("warmup").orElse(1), "warmup"),
                    positive(args.optionalInt("iters").orElse(3), "iters"), args.optionalInt("seed").orElse(0),
                    args.flag("json"), out, err);
        }
        boolean train = what.equals("train");
        int threads = positive(args.optionalInt("threads").orElse(1), "threads");
        if (batch % threads != 0) {
            throw new UsageException("option --batch (" + batch + ") must be a multiple of --threads (" + threads + ")");
        }
        int accum = positive(args.optionalInt("grad-accum").orElse(threads), "grad-accum");
        if (accum % threads != 0 || batch % accum != 0) {
            throw new UsageException("option --grad-accum (" + accum + ") must be a multiple of --threads (" + threads
                    + ") and divide --batch (" + batch + ")");
        }
        int iters = positive(args.optionalInt("iters").orElse(train ? 5 : 3), "iters");
        int warmup = nonNegative(args.optionalInt("warmup").orElse(train ? 5 : 1), "warmup");
        int steps = positive(args.optionalInt("steps").orElse(what.equals("ddpm") ? 250 : 50), "steps");
        long seed = args.optionalInt("seed").orElse(0);
        AdmUNetConfig config = BenchConfigs.resolve(configName);
        Rng rng = new Rng(seed);
        AdmUNet unet = AdmUNet.create(config, rng);
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(unet).addCondition(config.embedName(), config.embedDim())
                .optP(0.1).optGuidance(2.0).optInitRng(rng).build();
        DiscreteGaussianSchedule schedule = DiscreteGaussianSchedule.of(BetaScheduleKind.LINEAR, 1000);
        err.printf("bench %s on %s: %,d parameters, batch %d, %d warm-up + %d timed iterations%n", what, configName,
                unet.parameters().count(), batch, warmup, iters);
        Runnable iteration;
        java.util.function.LongSupplier arenaBytes = () -> 0;
        double forwardsPerImage;
        AutoCloseable workers = () -> { };
        if (train) {
            TrainingGraph graph = TrainingGraph.build(unet, cfg, TrainingGraph.Loss.HYBRID, 0.1, 0.001);
            GraphReplicas replicas = threads > 1 ? new GraphReplicas(graph, threads) : null;
            workers = replicas != null ? replicas : workers;
            TrainStep step = new TrainStep(graph, schedule, new AdamW(), 0, replicas);
            INDArray x0 = rng.rand(batch, config.inChannels(), 32, 32).muli(2).subi(1);
            Conditioning c = Conditioning.of(config.embedName(), rng.randn(batch, config.embedDim()));
            List<TrainStep.MicroBatch> micro = new ArrayList<>();
            for (int k = 0; k < accum; k++) {
                long from = (long) k * batch / accum;
                long to = (long) (k + 1) * batch / accum;
                micro.add(new TrainStep.MicroBatch(x0.get(NDArrayIndex.interval(from, to)).dup(), c.rows(from, to)));
            }
            iteration = () -> step.run(micro, rng, 1e-4);
            arenaBytes = () -> graph.engineArenaBytes() * (replicas == null ? 1 : replicas.threads());
            forwardsPerImage = 3;
        } else {
            Predictor predictor = new NoisePredictor(schedule, Predictor.clampTo(-1, 1));
            SamplerSpec spec = SamplerSpec.of(what, steps, 0.0, 2.0); // guidance 2, as the model above
            Function<ClassifierFreeGuidance, Sampler> samplerOf = model -> spec.build(model, schedule, predictor);
            Sampler sampler = samplerOf.apply(cfg);
            Conditioning c = Conditioning.of(config.embedName(), rng.randn(batch, config.embedDim()));
            if (threads > 1) {
                List<Sampler> shards = new ArrayList<>();
                shards.add(sampler);
                for (int k = 1; k < threads; k++) {
                    shards.add(samplerOf.apply(cfg.withModel(unet.replica())));
                }
                RowShardSampler sharded = new RowShardSampler(shards);
                workers = sharded;
                iteration = () -> sharded.sample(rng.randn(batch, config.inChannels(), 32, 32), c, StepNoise.from(rng));
            } else {
                iteration = () -> sampler.sample(rng.randn(batch, config.inChannels(), 32, 32), c, StepNoise.from(rng),
                        StepListener.NONE);
            }
            forwardsPerImage = 2.0 * sampler.numSteps();
        }
        double[] seconds = new double[iters];
        try (AutoCloseable closeWorkers = workers) {
            for (int i = 0; i < warmup + iters; i++) {
                long t0 = System.nanoTime();
                iteration.run();
                double s = (System.nanoTime() - t0) / 1e9;
                boolean timed = i >= warmup;
                if (i + 1 == warmup) {
                    org.diffusionlabs.engine.Profile.reset();
                }
                if (timed) {
                    seconds[i - warmup] = s;
                }
                err.printf("  %s %d/%d: %.3f s (%.2f img/s)%n", timed ? "iteration" : "warm-up", timed ? i - warmup + 1 : i + 1,
                        timed ? iters : warmup, s, batch / s);
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        if (org.diffusionlabs.engine.Profile.ENABLED) {
            err.printf("engine profile of the %d timed iterations (%s=true; nested entries, marked =, include their parts):%n%s",
                    iters, org.diffusionlabs.engine.Profile.PROPERTY, org.diffusionlabs.engine.Profile.report());
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2;
        double gflopPerImage = 2.0 * AdmFlops.forwardMacs(config, 32, 32) * forwardsPerImage / 1e9;
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("config", configName);
        json.put("what", what);
        json.put("batch", batch);
        json.put("iters", iters);
        json.put("steps", train ? 1 : steps);
        json.put("parameters", unet.parameters().count());
        json.put("images_per_s", batch / median);
        json.put("images_per_s_best", batch / sorted[0]);
        json.put("seconds_median", median);
        json.put("seconds_min", sorted[0]);
        json.put("gflop_per_image", gflopPerImage);
        json.put("gflops", gflopPerImage * batch / median);
        json.put("peak_rss_mb", ProcessMemory.peakRssMb());
        json.put("engine_arena_mb", arenaBytes.getAsLong() / 1048576.0);
        json.put("native", NativeInfo.describe());
        json.put("omp_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        json.put("threads", threads);
        json.put("grad_accum", train ? accum : 1);
        json.put("omp_threads_per_worker", threads > 1 ? WorkerThreads.defaultOmpThreads(threads) : 0);
        if (args.flag("json")) {
            out.println(json.toString());
        } else {
            out.printf("%s %s batch %d%s: %.2f img/s median (best %.2f), %.1f GFLOP/s, peak RSS %.0f MB%n", configName, what,
                    batch, threads > 1 ? " on " + threads + " threads" : "", batch / median, batch / sorted[0], gflopPerImage * batch / median, ProcessMemory.peakRssMb());
        }
        return OK;
    }

    private static int positive(int v, String name) throws UsageException {
        if (v < 1) {
            throw new UsageException("option --" + name + " must be >= 1, got " + v);
        }
        return v;
    }

    private static int nonNegative(int v, String name) throws UsageException {
        if (v < 0) {
            throw new UsageException("option --" + name + " must be >= 0, got " + v);
        }
        return v;
    }
}
