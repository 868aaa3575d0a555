package org.diffusionlabs.models.adm;

import org.diffusionlabs.nd.Checks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training-mode dropout of the ADM res blocks (the reference's {@code Dropout(0.1)} before each block's output
 * conv). SameDiff's own dropout op cannot be differentiated in ND4J 1.0.0-M2.1 and does not rescale, so each site
 * multiplies by a mask placeholder {@code dropout.<block>} holding Bernoulli(1 − p)/(1 − p) values — PyTorch's
 * inverted dropout — drawn per step by {@link #draw} from a seed the trainer takes from its explicit generator.
 */
public final class DropoutMasks {
    /** A dropout site: its placeholder, channel count and downscale factor of its resolution. */
    public record Site(String placeholder, long channels, int factor) {}

    private final double p;
    private final List<Site> sites = new ArrayList<>();

    /** @param p drop probability in [0, 1); 0 adds no ops (evaluation graphs) */
    public DropoutMasks(double p) {
        Checks.require(p >= 0 && p < 1, "DropoutMasks", "p", p, "must be in [0, 1)");
        this.p = p;
    }

    public double p() {
        return p;
    }

    public List<Site> sites() {
        return Collections.unmodifiableList(sites);
    }

    /** Declares the site of block {@code block} without a graph (the engine's layout). */
    void addSite(String block, long channels, int factor) {
        sites.add(new Site("dropout." + block, channels, factor));
    }

    /** h·mask for a block whose output has {@code channels} channels at 1/{@code factor} of the input resolution. */
    SDVariable apply(SameDiff sd, String block, SDVariable h, long channels, int factor) {
        if (p == 0) {
            return h;
        }
        String name = "dropout." + block;
        sites.add(new Site(name, channels, factor));
        return h.mul(sd.placeHolder(name, DataType.FLOAT, -1, channels, -1, -1));
    }

    /**
     * Masks for every site for a batch of {@code batch} images of {@code height × width}, drawn with ND4J's native
     * generator seeded with {@code seed} (same seed, same masks).
     */
    public Map<String, INDArray> draw(long batch, long height, long width, long seed) {
        Map<String, INDArray> masks = new LinkedHashMap<>();
        if (p == 0) {
            return masks;
        }
        Nd4j.getRandom().setSeed(seed);
        for (Site s : sites) {
            Checks.require(height % s.factor() == 0 && width % s.factor() == 0, "DropoutMasks", "height×width",
                    height + "×" + width, "must be divisible by " + s.factor());
            INDArray u = Nd4j.rand(DataType.FLOAT, batch, s.channels(), height / s.factor(), width / s.factor());
            // in place: step(u − p) = 1 where u > p (u − p is exact near p), then the 1/(1 − p) scale
            masks.put(s.placeholder(), Transforms.step(u.subi(p), false).muli(1.0 / (1.0 - p)));
        }
        return masks;
    }
}
