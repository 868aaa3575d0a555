package org.diffusionlabs.models.adm;

import org.diffusionlabs.jobs.BenchConfigs;
import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.nd.Rng;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Forward time of the U-Net's building blocks, each alone in an inference graph (as DDIM sampling builds them: fused
 * SiLU, no dropout), at the shapes of the "small" bench config ({@link BenchConfigs}): the ADM res block and
 * GroupNorm + SiLU and a 3×3 conv at level 0 (32 channels, 32×32), the attention block at level 1 (64 channels,
 * 16×16, 4 context tokens), all at {@link #batch} images. Why: to see which block the time goes to and to measure a
 * change to one block without the noise of a whole step. In this package because the layer helpers
 * ({@code AdmLayers}) are package-private; graphs and inputs are built in {@link #setUp()}, outside the
 * measurement. Run with {@code bin/diffusion jmh} (its JVM flags are the forks').
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AdmBlockBenchmarks {
    /** Images per forward. */
    @Param("8")
    public int batch;

    private Block res;
    private Block attention;
    private Block groupNormSilu;
    private Block conv3x3;

    /** One graph with its input values and the name of its output. */
    private record Block(SameDiff sd, Map<String, INDArray> feed, String output) {
        INDArray forward() {
            return sd.output(feed, output).get(output);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        AdmUNetConfig small = BenchConfigs.resolve("small");
        int[] ch = small.channelsPerLayer();
        long cond = small.dimResCond();
        Rng rng = new Rng(0);
        Parameters p = new Parameters(rng);
        INDArray x0 = rng.randn(batch, ch[0], 32, 32);
        INDArray x1 = rng.randn(batch, ch[1], 16, 16);
        INDArray emb = rng.randn(batch, cond);
        INDArray context = rng.randn(batch, 4, small.dimAttnCond());

        SameDiff sd = SameDiff.create();
        SDVariable out = AdmResBlock.of(ch[0], ch[0], cond, Resample.NONE)
                .build(sd, p, "res", input(sd, "x", x0), input(sd, "emb", emb), 0);
        res = warm(new Block(sd, Map.of("x", x0, "emb", emb), out.name()));

        sd = SameDiff.create();
        out = AdmAttentionBlock.of(ch[1], small.dimAttnCond())
                .build(sd, p, "attn", input(sd, "x", x1), input(sd, "context", context));
        attention = warm(new Block(sd, Map.of("x", x1, "context", context), out.name()));

        sd = SameDiff.create();
        out = AdmLayers.silu(sd, AdmLayers.groupNorm(sd, p, "norm", input(sd, "x", x0), ch[0],
                AdmUNetConfig.NORM_GROUPS, 1e-5));
        groupNormSilu = warm(new Block(sd, Map.of("x", x0), out.name()));

        sd = SameDiff.create();
        out = AdmLayers.declareConv(sd, p, "conv", ch[0], ch[0], 3).apply(input(sd, "x", x0));
        conv3x3 = warm(new Block(sd, Map.of("x", x0), out.name()));
    }

    private static SDVariable input(SameDiff sd, String name, INDArray like) {
        return sd.placeHolder(name, DataType.FLOAT, like.shape());
    }

    /** The first forward (SameDiff's session and array cache) is set-up work, not what is measured. */
    private static Block warm(Block b) {
        b.forward();
        return b;
    }

    @Benchmark
    public INDArray resBlockForward() {
        return res.forward();
    }

    @Benchmark
    public INDArray attentionBlockForward() {
        return attention.forward();
    }

    @Benchmark
    public INDArray groupNormSiluForward() {
        return groupNormSilu.forward();
    }

    @Benchmark
    public INDArray conv3x3Forward() {
        return conv3x3.forward();
    }
}
