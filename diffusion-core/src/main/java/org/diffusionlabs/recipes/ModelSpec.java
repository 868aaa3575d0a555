package org.diffusionlabs.recipes;

import org.diffusionlabs.adapters.ClassifierFreeGuidance;
import org.diffusionlabs.models.adm.AdmUNet;
import org.diffusionlabs.models.adm.AdmUNetConfig;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.predictors.PredictionType;
import org.diffusionlabs.schedules.BetaScheduleKind;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.training.LabelEmbedding;
import org.diffusionlabs.training.TrainingGraph;

import java.io.Serializable;

/**
 * A conditional diffusion model as plain values: the U-Net configuration, the training schedule (beta kind
 * and steps), what the network predicts, the loss (and VLB weight of the hybrid loss), classifier-free guidance
 * (condition drop probability, sampling scale) and how it is conditioned: on class labels through a learned label
 * embedding ({@code classes > 0}, the reference tutorial), or on condition vectors given with the data, such as
 * precomputed text or CLIP embeddings ({@code classes = 0}: the vectors of width {@code unet.embedDim()} feed the
 * U-Net directly). Small and {@link Serializable}: Spark ships it to executors, which rebuild the model from it (no
 * SameDiff object ever crosses the wire).
 *
 * @param unet           the U-Net (its dropout is the res-block dropout of training)
 * @param beta           beta schedule kind
 * @param diffusionSteps schedule steps T
 * @param prediction     what the network predicts (noise, x0, v)
 * @param loss           MSE or hybrid (MSE + vlbWeight·VLB)
 * @param vlbWeight      weight of the VLB term (0.001 in the reference)
 * @param guidanceP      probability of dropping the label in training
 * @param guidanceScale  guidance strength when sampling
 * @param classes        label classes of the learned label embedding, or 0 to condition on given vectors
 */
public record ModelSpec(AdmUNetConfig unet, BetaScheduleKind beta, int diffusionSteps, PredictionType prediction,
                        TrainingGraph.Loss loss, double vlbWeight, double guidanceP, double guidanceScale, int classes)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "ModelSpec";

    /** The trained objects of a model; {@code encoder} is null for a model conditioned on given vectors. */
    public record Model(AdmUNet unet, ClassifierFreeGuidance guidance, LabelEmbedding encoder) {}

    public ModelSpec {
        Checks.notNull(unet, OWNER, "unet");
        Checks.notNull(beta, OWNER, "beta");
        Checks.positive(diffusionSteps, OWNER, "diffusionSteps");
        Checks.notNull(prediction, OWNER, "prediction");
        Checks.notNull(loss, OWNER, "loss");
        Checks.require(vlbWeight >= 0 && Double.isFinite(vlbWeight), OWNER, "vlbWeight", vlbWeight, "must be finite and >= 0");
        Checks.require(guidanceP >= 0 && guidanceP <= 1, OWNER, "guidanceP", guidanceP, "must be in [0, 1]");
        Checks.require(Double.isFinite(guidanceScale), OWNER, "guidanceScale", guidanceScale, "must be finite");
        Checks.require(classes >= 0, OWNER, "classes", classes, "must be >= 0 (0 = conditioned on given vectors)");
        Checks.require(unet.embedDim() > 0, OWNER, "unet.embedDim", unet.embedDim(),
                "must be > 0: the model is conditioned (on labels or on vectors of that width)");
    }

    /** True when the model learns a label embedding (classes > 0); false when it takes condition vectors. */
    public boolean labelConditioned() {
        return classes > 0;
    }

    /** The training schedule. */
    public DiscreteGaussianSchedule schedule() {
        return DiscreteGaussianSchedule.of(beta, diffusionSteps);
    }

    /**
     * A fresh model from a seed: the U-Net, then the guidance null embedding, then the label encoder (when
     * {@link #labelConditioned()}), all drawing from one {@code Rng(seed)} in this order (as the reference tutorial
     * builds them), so the U-Net and null embedding do not depend on how the model is conditioned.
     */
    public Model build(long seed) {
        Rng rng = new Rng(seed);
        AdmUNet u = AdmUNet.create(unet, rng);
        ClassifierFreeGuidance cfg = ClassifierFreeGuidance.builder(u).addCondition(unet.embedName(), unet.embedDim())
                .optP(guidanceP).optGuidance(guidanceScale).optInitRng(rng).build();
        return new Model(u, cfg, labelConditioned() ? LabelEmbedding.create(classes, unet.embedDim(), rng) : null);
    }

    /** The training graph (model + loss) over a model's parameters. */
    public TrainingGraph graph(Model m) {
        return TrainingGraph.build(m.unet(), m.guidance(), m.encoder(), loss, prediction, unet.dropout(), vlbWeight);
    }
}
