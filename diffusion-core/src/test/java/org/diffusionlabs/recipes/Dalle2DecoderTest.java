package org.diffusionlabs.recipes;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.samplers.EvalSteps;
import org.diffusionlabs.schedules.BetaSchedules;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.training.AdamW;
import org.diffusionlabs.training.TrainStep;
import org.diffusionlabs.training.TrainingGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder beyond the reference's test: its defaults, a real sampling run, a training step, its ModelSpec. */
class Dalle2DecoderTest {
    /** The tiny decoder of test_dalle2 with 8 steps: eval steps [0, 7], so the sampler runs two guided steps. */
    private static final Dalle2DecoderConfig TINY = Dalle2DecoderConfig.builder().optTimesteps(8).optTimeEmbedDim(1)
            .optCondEmbedDim(1).optClipEmbedDim(1).optImageChannels(1).optDepth(32).optNumResize(1)
            .optNumResPerLayer(1).build();

    @Test
    void defaultsAreTheReferences() {
        Dalle2DecoderConfig d = Dalle2DecoderConfig.builder().build();
        assertEquals(AdmUNetConfig.admUnet(512, 2048, 768, "clip_image", true, 4, 512, 3, 3), d.unet());
        EvalSteps steps = d.evalSteps();
        assertEquals(250, steps.size());
        assertEquals(0, steps.steps()[0]);
        assertEquals(4, steps.steps()[1]);
        assertEquals(999, steps.steps()[249]);
        assertEquals(EvalSteps.linspace(1000, 250), steps, "torch.linspace(0, 999, 250, dtype=torch.int)");
        assertArrayEquals(BetaSchedules.cosine(1000), d.schedule().values(Coefficient.BETAS));
        assertEquals(0.1, d.clipImageGuidanceDropout());
        assertEquals(7.0, d.guidanceStrength());
        assertTrue(d.useCfGuidance() && d.learnNullEmb());
    }

    @Test
    void samplesGuidedToTheClampedRange() {
        Dalle2Decoder decoder = AdmRecipes.dalle2Decoder(TINY, new Rng(1));
        assertEquals(2, decoder.sampler().numSteps());
        assertEquals(7.0, decoder.guidance().guidance());
        Rng data = new Rng(2);
        INDArray x = data.randn(2, 1, 4, 4).muli(3);
        Conditioning c = Conditioning.of("clip_image", data.randn(2, 1));
        INDArray a = decoder.sampler().sample(x, c, new Rng(3));
        INDArray b = decoder.sampler().sample(x, c, new Rng(3));
        assertArrayEquals(x.shape(), a.shape());
        assertEquals(a, b, "same noise, same samples");
        // the last step is t = 0, whose posterior mean is the x0 estimate clamped to [-1, 1]
        assertTrue(a.maxNumber().doubleValue() <= 1.0 && a.minNumber().doubleValue() >= -1.0, a.toString());
        assertNotEquals(x, a);
    }

    @Test
    void trainsWithTheHybridLossAndTheNullEmbedding() {
        Dalle2Decoder decoder = AdmRecipes.dalle2Decoder(TINY, new Rng(1));
        TrainingGraph graph = decoder.trainingGraph();
        assertEquals(TrainingGraph.Loss.HYBRID, graph.loss());
        assertTrue(graph.trainables().containsKey("train_unconditional_embedding.clip_image"),
                graph.trainables().keySet().toString());
        INDArray before = decoder.unet().parameters().asMap().get("res_cond_proj.clip_image.weight").dup();
        TrainStep step = new TrainStep(graph, decoder.schedule(), new AdamW());
        Rng data = new Rng(5);
        INDArray x0 = data.rand(4, 1, 4, 4).muli(2).subi(1);
        Conditioning c = Conditioning.of("clip_image", data.randn(4, 1));
        Map<String, Double> losses = step.run(x0, c, new Rng(6), 1e-3);
        assertTrue(Double.isFinite(losses.get(TrainingGraph.LOSS)), losses.toString());
        assertNotEquals(before, decoder.unet().parameters().asMap().get("res_cond_proj.clip_image.weight"));
    }

    @Test
    void itsModelSpecBuildsTheSameInitialWeights() {
        ModelSpec spec = AdmRecipes.dalle2Decoder(TINY, new Rng(0)).modelSpec();
        assertEquals(0, spec.classes());
        assertEquals(TINY.unet(), spec.unet());
        ModelSpec.Model fromSpec = spec.build(11);
        Dalle2Decoder direct = AdmRecipes.dalle2Decoder(TINY, new Rng(11));
        Map<String, INDArray> a = direct.unet().parameters().asMap();
        fromSpec.unet().parameters().asMap().forEach((k, v) -> assertEquals(v, a.get(k), k));
        assertEquals(direct.guidance().stateDict(), fromSpec.guidance().stateDict());
        assertArrayEquals(direct.schedule().values(Coefficient.BETAS), spec.schedule().values(Coefficient.BETAS));
        assertEquals(DataType.FLOAT, direct.guidance().stateDict().values().iterator().next().dataType());
    }
}
